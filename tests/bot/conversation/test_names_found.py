"""The gazetteer's name finder finds exactly what the one alternation regex it replaced found."""

from __future__ import annotations

import re

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.library import Library
from bot.conversation.names_found import NameFinder
from bot.text import is_cjk, normalise
from tests.conftest import ROOT

NAMES = {
    "google": True,
    "google research": True,
    "meta": True,
    "deepmind": False,
    "li wei": False,
    "touvron": False,
    "多模态": False,
    "清华": True,
    "清华大学": True,
    "a1": False,
    "s": True,
    "gpt 4": False,
    "moe大模型": False,
    "大模型": False,
}


def reference(names: dict[str, bool]) -> re.Pattern[str]:
    """The regex Gazetteer compiled before (bot/conversation/understand.py up to #22 item 5)."""
    alternatives = []
    for name in sorted(filter(None, names), key=len, reverse=True):
        if is_cjk(name[0]) and is_cjk(name[-1]):
            alternatives.append(re.escape(name))
        else:
            plural = "s?" if names[name] else ""
            alternatives.append(rf"(?<![a-z0-9]){re.escape(name)}{plural}(?![a-z0-9])")
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


PATTERN = reference(NAMES)
FINDER = NameFinder.build(NAMES)
PIECES = [*NAMES, "s", " ", "x", "1", "的", "论文", "googles", "'", "metas", "research", "大", "-"]


def spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in PATTERN.finditer(text)]


def test_known_messages() -> None:
    for text in (
        "googles papers by touvron",
        "xgoogle google research 清华大学的多模态",
        "metas meta1 a1s s",
        "gpt 4 and gpt 45",
        "moe大模型 大模型",
        "deepminds",
        "",
    ):
        assert list(FINDER.spans(text)) == spans(text), text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_same_spans_as_the_alternation(parts: list[str]) -> None:
    text = "".join(parts)
    assert list(FINDER.spans(text)) == spans(text)


def test_the_catalogs_names_in_every_message_of_both_sets(library: Library) -> None:
    """The shipped catalog's organisations, sections, topics and authors, in the sets' messages."""
    names = {name: kind == "org" for name, (kind, _) in library.gazetteer.names.items()}
    pattern, finder = reference(names), NameFinder.build(names)
    data = [yaml.safe_load((ROOT / "tests" / "data" / n).read_text(encoding="utf-8"))
            for n in ("conversations.yaml", "conversations_next.yaml")]
    texts = [normalise(t["text"]) for d in data for t in
             [m for ms in d["messages"].values() for m in ms] + [t for dia in d["dialogues"] for t in dia["turns"]]]
    named = 0
    for text in texts:
        found = list(finder.spans(text))
        assert found == [m.span() for m in pattern.finditer(text)], text
        named += bool(found)
    assert named > 200
