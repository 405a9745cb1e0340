"""The formatting toolkit at its edges: escaping that round-trips, clipping and splitting exactly at
Telegram's 4,096-character limit, never cutting inside a tag or an entity."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.html import MAX_TEXT, clip_html, esc, esc_clip, split_html
from tests.html_rules import html_problem

PARTIAL_TAG_AT_END = re.compile(r"<[^>]*$")
PARTIAL_TAG_AT_START = re.compile(r"^[^<]*>")
PARTIAL_ENTITY_AT_END = re.compile(r"&[a-z#0-9]*$")


def test_escaping_is_exact_and_user_text_with_entities_round_trips() -> None:
    assert esc("a & b") == "a &amp; b"
    assert esc("<b>") == "&lt;b&gt;" and esc('"quoted"') == '"quoted"'
    for text in ("R&amp;D", "&lt;script&gt;", "a &amp;amp; b", "5 > 3 & 2 < 4"):
        assert esc(text) != text and html.unescape(esc(text)) == text       # shown as typed
        assert html_problem(esc(text)) is None


@given(st.text(alphabet="ab&;<>amplt#x ", max_size=60))
def test_any_text_escapes_to_itself(text: str) -> None:
    assert html.unescape(esc(text)) == text and html_problem(esc(text) or "x") is None
    assert html.unescape(esc_clip(text, 20).removesuffix("…")) in text


@pytest.mark.parametrize("limit", [20, 100, MAX_TEXT])
@pytest.mark.parametrize("slack", [-2, -1, 0, 1, 2])
def test_clip_html_with_lines_right_at_the_limit_never_exceeds_it(limit: int, slack: int) -> None:
    line = "<b>x</b>" + "y" * 2            # 10 characters a line
    lines = [line] * (limit // 11) + ["z" * max(1, limit - 11 * (limit // 11) + slack - 1)] + [line] * 3
    text = "\n".join(lines)
    clipped = clip_html(text, limit)
    assert len(clipped) <= limit and clipped.endswith("…")
    assert clipped.removesuffix("\n…") == "\n".join(lines[:clipped.count("\n")])   # whole lines only


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40), st.integers(min_value=30, max_value=200))
def test_clip_html_fits_for_any_line_lengths(lengths: list[int], limit: int) -> None:
    text = "\n".join("w" * n for n in lengths)
    assert len(clip_html(text, limit)) <= limit


@pytest.mark.parametrize("before", range(MAX_TEXT - 12, MAX_TEXT + 2))
def test_split_html_never_cuts_one_long_line_inside_a_tag_or_entity(before: int) -> None:
    line = "x" * before + '<a href="https://arxiv.org/abs/2401.10774">Medusa &amp; co</a>' + "y" * 3000
    chunks = split_html(line)
    assert "".join(chunks) == line and all(len(c) <= MAX_TEXT for c in chunks)
    for chunk in chunks:
        assert not PARTIAL_TAG_AT_END.search(chunk) and not PARTIAL_TAG_AT_START.match(chunk), chunk[-60:]
        assert not PARTIAL_ENTITY_AT_END.search(chunk), chunk[-20:]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["x", "yy", "<b>", "</b>", "&amp;", "&#x27;", " "]), min_size=1, max_size=400),
       st.integers(min_value=12, max_value=80))
def test_split_html_pieces_never_hold_half_a_tag_or_entity(tokens: list[str], limit: int) -> None:
    line = "".join(tokens)
    chunks = split_html(line, limit)
    assert "".join(chunks) == line and all(len(c) <= limit for c in chunks)
    for chunk in chunks:
        assert not PARTIAL_TAG_AT_END.search(chunk) and not PARTIAL_ENTITY_AT_END.search(chunk)
