"""Small promises the README makes, each guarded by a fast test with one expected outcome:
pages that hold every paper once, cooldowns that expire and stay per chat, the callback-data
guard, purge and merge that keep what they should, an ambiguous query that asks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.catalog.catalog import Catalog
from bot.catalog.importer import merge_catalog
from bot.conversation.answer import ChoiceAnswer, PaperAnswer, from_search
from bot.conversation.understand import ListFilter
from bot.render.lists import PAGE_SIZE, page_bounds, page_count
from bot.render.renderer import Renderer
from bot.render.reply import MAX_CALLBACK, decode, encode
from bot.search.engine import Hit, SearchResult
from bot.store.stats import QueryRecord, StatsStore
from bot.telegram.state import Cooldown


@pytest.mark.parametrize(("n", "pages"), [(1, 1), (8, 1), (9, 1), (10, 1), (11, 2), (16, 2), (17, 2), (19, 3),
                                           (26, 3), (27, 4)])
def test_page_count_folds_only_a_last_page_of_one_or_two(n: int, pages: int) -> None:
    assert page_count(n) == pages


@pytest.mark.parametrize("n", range(1, 40))
def test_pages_hold_every_paper_exactly_once(n: int) -> None:
    held = [i for page in range(page_count(n)) for i in range(*page_bounds(n, page))]
    assert held == list(range(n))
    assert all(end - start <= PAGE_SIZE + 2 for start, end in (page_bounds(n, p) for p in range(page_count(n))))


def _nav(reply) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.data.split(":")[-1].split("|")[0] + ("<" if "Prev" in b.text or "上一页" in b.text else ">")
            for row in reply.buttons for b in row if b.data and b.data.startswith("ls:")]


def test_the_pager_offers_next_only_before_the_last_page(catalog: Catalog) -> None:
    r = Renderer(catalog, "en")
    wanted = ListFilter()
    pages = page_count(len(catalog))
    assert _nav(r.lists.list_page(wanted, 0)) == ["1>"]
    assert _nav(r.lists.list_page(wanted, pages - 1)) == [f"{pages - 2}<"]
    first = r.lists.list_page(wanted, 0).text
    oldest = catalog.by_date(catalog.everything())[0]   # lists are shown oldest first
    assert f"1. <b>{oldest.short_name}" in first.replace("&#x27;", "'")


def test_a_cooldown_expires_and_holds_per_chat() -> None:
    now = [1000.0]
    cooldown = Cooldown(60.0, clock=lambda: now[0])
    assert cooldown.allow(1, "llm") and not cooldown.allow(1, "llm")
    assert cooldown.allow(2, "llm") and cooldown.allow(1, "other")        # per chat, per rule
    now[0] += 59
    assert not cooldown.allow(1, "llm")
    now[0] += 2
    assert cooldown.allow(1, "llm")                                       # it expires


def test_callback_data_over_64_bytes_is_refused_both_ways() -> None:
    long_id = "x" * (MAX_CALLBACK - 3)
    with pytest.raises(ValueError):
        encode("pick", long_id)
    assert decode("pick:" + long_id) is None
    assert decode("pick:medusa") is not None and decode("nope:medusa") is None


def test_purge_removes_only_older_rows(tmp_path: Path) -> None:
    async def run() -> tuple[int, int]:
        store = StatsStore(tmp_path / "s.sqlite3")
        await store.open()
        for at, q in ((1_000.0, "old"), (2_000_000_000.0, "new")):
            await store.record(QueryRecord("private", "en", q, "paper", None, True, at=at))
        await store.flush()
        removed = await store.purge_before(1_500_000_000.0)
        report = await store.report(now=2_000_000_100.0)
        await store.close()
        return removed, report.week

    assert asyncio.run(run()) == (1, 1)


def test_merging_a_digest_skips_a_paper_with_the_same_title_under_another_id() -> None:
    existing = {"papers": [{"id": "medusa", "title": "Medusa: Simple LLM Inference", "arxiv": "2401.10774"}]}
    imported = {"papers": [{"id": "medusa-heads", "title": "MEDUSA: simple LLM inference"},
                           {"id": "medusa", "title": "Another Paper"}]}
    merged, added, skipped = merge_catalog(existing, imported)
    assert skipped == ["medusa-heads"] and added == ["medusa-1"]
    assert [p["id"] for p in merged["papers"]] == ["medusa", "medusa-1"]


def test_an_ambiguous_search_asks_instead_of_answering(catalog: Catalog) -> None:
    a, b = catalog.get("speculative-decoding"), catalog.get("specinfer")
    assert a is not None and b is not None
    ambiguous = SearchResult("spec", (Hit(a, 0.8, "ranked"), Hit(b, 0.79, "ranked")), "ambiguous")
    assert from_search(ambiguous) == ChoiceAnswer("spec", (a, b), True)
    assert from_search(SearchResult("spec", (Hit(a, 0.9, "ranked"),), "answer")) == PaperAnswer(a)
