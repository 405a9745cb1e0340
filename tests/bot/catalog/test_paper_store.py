"""The catalog's compiled store: a stored catalog is the parsed catalog, paper for paper and
lookup for lookup, while holding no paper as a live object."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.catalog import catalog as catalog_mod
from bot.catalog.catalog import Catalog
from bot.catalog.mapped import KeyTable, Strings
from bot.catalog.paper_store import FIELDS, StoredPapers, decode, encode
from bot.catalog.schema import Citations, Erratum, Links, Paper, Provenance, Text, Venue
from tests.conftest import DATA

FULL = Paper(id="full", title="Full: Every Field Set", section="base", date="2023-07", orgs=("meta", "google"),
             impact=Text(zh="影响", en="impact"), arxiv="2307.00001", arxiv_date="2023-06", arxiv_version=3,
             authors=("Le Scao, Teven", "Ada Lovelace", "others"), categories=("cs.CL", "cs.AI"),
             aliases=("全", "full-1"), summary_en="A summary.", abstract_en="An abstract.", abstract_zh="摘要。",
             digest="d2023",
             links=Links(code="https://example.org/c", data=None, project="https://example.org/p"),
             errata=(Erratum(field="orgs", digest="Columbia", note="the digest's slip"),
                     Erratum(field="authors", note="v3 adds one", replaced=("A", "B"), version=1, source="arXiv v3")),
             topics=("speculative-decoding", "long-context"),
             citations=Citations(count=1234, read="2026-12-02", influential=56),
             venue=Venue(name="Neural Information Processing Systems", year=2023, short="NeurIPS"),
             provenance=(Provenance(field="orgs", source="the paper's header", checked="2026-12-02"),))


def test_every_field_of_a_paper_survives_the_store() -> None:
    assert {f.name for f in dataclasses.fields(Paper)} == set(FIELDS)
    back = decode(encode(FULL))
    assert back == FULL and repr(back) == repr(FULL)
    assert back.erratum("orgs") == FULL.errata[0] and back.links.code == FULL.links.code
    assert decode(encode(dataclasses.replace(FULL, impact=None))).impact is None
    bare = dataclasses.replace(FULL, citations=None, venue=None, provenance=())
    assert decode(encode(bare)) == bare and decode(encode(FULL)).venue == FULL.venue


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, Catalog]:
    cache = tmp_path_factory.mktemp("cache")
    catalog_mod.load(DATA / "papers.yaml", cache)          # parses, then serves from the written store
    return catalog_mod.load(DATA / "papers.yaml", cache), catalog_mod.load(DATA / "papers.yaml", use_cache=False)


def test_a_stored_catalog_is_the_parsed_catalog(both: tuple[Catalog, Catalog]) -> None:
    stored, parsed = both
    assert isinstance(stored.papers, StoredPapers) and isinstance(parsed.papers, tuple)
    assert list(stored.papers) == list(parsed.papers) and list(stored.ids) == list(parsed.ids)
    assert stored.papers[-1] == parsed.papers[-1] and stored.papers[3:7] == list(parsed.papers[3:7])
    assert dict(stored.groups) == dict(parsed.groups) and stored.authors == parsed.authors
    assert stored.years == parsed.years
    for p in parsed:
        assert stored.get(p.id) == p and stored.position(p.id) == parsed.position(p.id)
        if p.arxiv:
            assert stored.with_arxiv(p.arxiv) == p
    for year in parsed.years:
        assert stored.in_month(year) == parsed.in_month(year)
        assert stored.in_months(year, range(1, 7)) == parsed.in_months(year, range(1, 7))
    for org in parsed.organisations:
        assert stored.by_org(org.id) == parsed.by_org(org.id)
    for key in parsed.authors:
        assert stored.by_author(key) == parsed.by_author(key)
    assert stored.get("no-such-paper") is None and stored.with_arxiv("9999.99999") is None
    with pytest.raises(IndexError):
        stored.papers[len(stored)]


def test_a_removed_store_keeps_serving_the_process_that_mapped_it(tmp_path: Path) -> None:
    path = tmp_path / "papers.yaml"
    shutil.copy(DATA / "papers.yaml", path)
    catalog = catalog_mod.load(path, tmp_path / "cache")
    assert catalog.store is not None
    shutil.rmtree(next((tmp_path / "cache").glob("papers-*")))    # another replica's reload removed it
    assert catalog.get("medusa") is not None and catalog.authors and catalog.in_month(2023, 12)


# Lone surrogates too: a hostile message can carry them through JSON into a lookup.
text = st.text(st.characters(blacklist_categories=()), max_size=8)
keys = st.dictionaries(text, st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=3)
                       .map(tuple), max_size=40)


@given(keys, text, st.text(max_size=3))
def test_a_key_table_answers_like_a_dict(table: dict[str, tuple[int, ...]], probe: str, prefix: str) -> None:
    mapped = KeyTable.build(table)
    assert len(mapped) == len(table) and sorted(mapped) == sorted(table)
    for key, value in table.items():
        assert key in mapped and mapped[key] == value
    assert (probe in mapped) == (probe in table) and mapped.get(probe) == table.get(probe)
    # UTF-8 bytes sort as code points do, so the table's order is Python's string order.
    assert list(mapped.starting_with(prefix)) == sorted((k, v) for k, v in table.items() if k.startswith(prefix))


# Long keys from a few letters share their first 8 bytes: the lookup must tell them apart.
long_keys = st.dictionaries(st.text("ab\x00é", min_size=6, max_size=12), st.just((1,)), max_size=60)


@given(long_keys, st.text("ab\x00é", max_size=12))
def test_keys_sharing_their_first_bytes_are_told_apart(table: dict[str, tuple[int, ...]], probe: str) -> None:
    mapped = KeyTable.build(table)
    assert all(mapped[key] == value for key, value in table.items())
    assert (probe in mapped) == (probe in table) and mapped.get(probe, ()) == table.get(probe, ())
    assert [k for k, _ in mapped.starting_with(probe[:7])] == sorted(k for k in table if k.startswith(probe[:7]))


@given(st.lists(text, max_size=30))
def test_a_string_column_reads_back_what_was_written(texts: list[str]) -> None:
    column = Strings.build(texts)
    assert len(column) == len(texts) and list(column) == texts and column[:3] == texts[:3]
    assert column.take(reversed(range(len(texts)))) == texts[::-1]
    with pytest.raises(IndexError):
        column.take([len(texts)])
    if texts:
        assert column[-1] == texts[-1]


def test_an_empty_catalog_is_stored_and_served_too(tmp_path: Path) -> None:
    path = tmp_path / "papers.yaml"
    path.write_text("sections:\n  - {id: base, zh: 基座, en: Foundation}\npapers: []\n", encoding="utf-8")
    for _ in range(2):   # written, then opened
        catalog = catalog_mod.load(path, tmp_path / "cache")
        assert catalog.store is not None and len(catalog) == 0 and catalog.years == ()
        assert list(catalog.in_section("base")) == [] and catalog.get("medusa") is None


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bot.search.engine import search
    from bot.search.index_cache import load_or_build

    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        catalog = catalog_mod.load(DATA / "papers.yaml", blocked)
        index = load_or_build(catalog, blocked)
    assert catalog.store is None and len(catalog) == 26
    best = search("medusa", index).best
    assert best is not None and best.id == "medusa"
    assert any("catalog not cached" in r.message for r in caplog.records)
    assert any("search index not cached" in r.message for r in caplog.records)
