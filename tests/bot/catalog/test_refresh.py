"""`paperbot refresh`: the catalog against arXiv's latest versions, on a local fake arXiv."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.catalog import Catalog
from bot.catalog.curate import CurateError
from bot.catalog.refresh import compare, describe, refresh
from tests.fakes.arxiv import ArxivFake, FakePaper, serving

DATA = Path(__file__).resolve().parents[3] / "data"
TODAY = date(2026, 12, 2)


def as_on_arxiv(catalog: Catalog, version: int = 1) -> dict[str, FakePaper]:
    """The catalog's own values, served as arXiv would: no difference anywhere (abstracts left empty)."""
    out = {}
    for p in catalog:
        if p.arxiv:
            authors = [catalog_mod.display_name(a) for a in p.named_authors]
            if p.authors_cut:
                authors += [f"Contributor {i}" for i in range(3)]
            out[p.arxiv] = FakePaper(p.arxiv, p.title, authors, "", version=p.arxiv_version or version)
    return out


def test_a_catalog_as_on_arxiv_has_no_differences_but_its_versions(catalog_file: Path) -> None:
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    papers = as_on_arxiv(catalog)
    with serving(ArxivFake(papers)) as fake:
        result = refresh(catalog_file, [], api=fake.api, delay=0, cache_dir=catalog_file.parent)
        assert len(fake.requests) == 1                      # 26 papers, one batch
    assert len(result.diffs) == 26 and not any(d.fields for d in result.diffs)
    unrecorded = [d for d in result.diffs if d.catalog_version is None]
    assert all(d.changed for d in unrecorded) and not result.written


def test_without_write_nothing_changes_and_the_diff_says_what_differs(catalog_file: Path) -> None:
    before = catalog_file.read_bytes()
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    papers = as_on_arxiv(catalog)
    papers["2305.10429"].title = "DoReMi: Optimizing Data Mixtures Speeds Up Language Model Pretraining (revised)"
    papers["2305.10429"].authors.insert(3, "New Author")
    papers["2305.10429"].abstract = "We propose DoReMi."
    papers["2305.10429"].version = 4
    with serving(ArxivFake(papers)) as fake:
        result = refresh(catalog_file, ["2305.10429v2"], api=fake.api, delay=0, cache_dir=catalog_file.parent)
    assert catalog_file.read_bytes() == before and not result.written
    [diff] = result.diffs
    assert [f.field for f in diff.fields] == ["title", "authors", "abstract_en"] and diff.version == 4
    lines = describe(diff)
    assert lines[0] == "doremi (2305.10429): version not recorded → arXiv v4"
    assert "+New Author (after Xuanyi Dong)" in lines[2] and "10 → 11 names" in lines[2]
    # the catalog holds arXiv's abstract (#20): the diff shows it, shortened, before the new one
    assert lines[3].startswith("  abstract: 'The mixture proportions of pretraining data domains")
    assert lines[3].endswith("→ 'We propose DoReMi.'")


def test_write_applies_the_differences_and_keeps_the_old_values_as_errata(catalog_file: Path) -> None:
    text_before = catalog_file.read_text(encoding="utf-8")
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    old = catalog.get("doremi")
    assert old is not None
    papers = as_on_arxiv(catalog)
    papers["2305.10429"].title = "DoReMi, revised"
    papers["2305.10429"].authors.insert(3, "New Author")
    papers["2305.10429"].version = 3
    with serving(ArxivFake(papers)) as fake:
        result = refresh(catalog_file, [], api=fake.api, delay=0, cache_dir=catalog_file.parent, write=True,
                         today=TODAY)
        assert result.written
        again = refresh(catalog_file, [], api=fake.api, delay=0, cache_dir=catalog_file.parent)
    assert not any(d.changed for d in again.diffs)             # written values are what arXiv says
    text = catalog_file.read_text(encoding="utf-8")
    assert text.count("\n# ") == text_before.count("\n# ") and text.startswith(text_before[:2000])
    new = catalog_mod.load(catalog_file, use_cache=False).get("doremi")
    assert new is not None and new.title == "DoReMi, revised" and new.authors[3] == "New Author"
    assert new.arxiv_version == 3 and new.errata[:1] == old.errata      # the digest's erratum stays first
    title, authors = new.errata[1:]
    assert (title.field, title.replaced, title.version, title.source) == ("title", old.title, None, "arXiv API v3")
    assert authors.field == "authors" and authors.replaced == old.authors and "2026-12-02" in authors.note
    untouched = catalog_mod.load(catalog_file, use_cache=False).get("llm-in-a-flash")
    assert untouched is not None and untouched.arxiv_version == 1 and untouched.errata == ()


def test_a_field_corrected_by_hand_is_held_and_the_diff_says_so(catalog_file: Path) -> None:
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    papers = as_on_arxiv(catalog)
    papers["2309.04663"].title = "FIAT: something else entirely"      # FIAT's title has the digest's erratum
    with serving(ArxivFake(papers)) as fake:
        result = refresh(catalog_file, ["2309.04663"], api=fake.api, delay=0, cache_dir=catalog_file.parent,
                         write=True)
    [diff] = result.diffs
    assert diff.fields[0].held is not None and not diff.applicable
    assert "title: HELD, corrected by hand" in describe(diff)[1]
    fiat = catalog_mod.load(catalog_file, use_cache=False).get("fiat")
    assert fiat is not None and fiat.title.startswith("FIAT: Fusing") and fiat.arxiv_version == 1


def test_a_cut_author_list_stays_cut_and_names_written_family_first_are_no_difference() -> None:
    catalog = catalog_mod.load(DATA / "papers.yaml", use_cache=False)
    gemini, llama = catalog.get("gemini"), catalog.get("code-llama")
    assert gemini is not None and llama is not None and gemini.authors_cut
    papers = as_on_arxiv(catalog)
    from bot.catalog.arxiv import parse_feed
    from tests.fakes.arxiv import entry_xml, feed_xml

    [g, c] = parse_feed(feed_xml([entry_xml(papers[str(gemini.arxiv)]), entry_xml(papers[str(llama.arxiv)])]))
    assert not compare(gemini, g).fields and not compare(llama, c).fields
    reordered = g.__class__(**{**g.__dict__, "authors": (g.authors[0], g.authors[2], g.authors[1], *g.authors[3:])})
    [diff] = compare(gemini, reordered).fields
    assert diff.arxiv[-1] == "others" and len(diff.arxiv) == len(gemini.authors)


@pytest.mark.parametrize(("mode", "ids", "message"), [
    ("500", [], "HTTP 500"),
    ("404", [], "HTTP 404"),
    ("garbage", [], "malformed XML"),
    ("slow", [], "did not answer in time"),
    ("429", [], "limiting requests (HTTP 429, asked to wait 1 s)"),
    ("ok", ["2205.14135"], "not in the catalog: '2205.14135'"),
    ("ok", ["12"], "not an arXiv id: '12'"),
])
def test_any_failure_is_one_line_and_the_file_unchanged(catalog_file: Path, mode: str, ids: list[str],
                                                          message: str) -> None:
    before = catalog_file.read_bytes()
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    with serving(ArxivFake(as_on_arxiv(catalog, version=2), api_mode=mode)) as fake, \
            pytest.raises(CurateError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        refresh(catalog_file, ids, api=fake.api, delay=0, timeout=1, cache_dir=catalog_file.parent, write=True)
    assert "\n" not in str(err.value) and catalog_file.read_bytes() == before


def test_a_rate_limit_is_waited_out_as_asked(catalog_file: Path) -> None:
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    with serving(ArxivFake(as_on_arxiv(catalog), api_mode="429-once")) as fake:
        start = time.monotonic()
        result = refresh(catalog_file, [], api=fake.api, delay=0, cache_dir=catalog_file.parent)
        assert time.monotonic() - start >= 1.0 and len(fake.requests) == 2
    assert len(result.diffs) == 26


def test_the_command_line_reports_writes_and_fails_in_one_line(catalog_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    papers = as_on_arxiv(catalog)
    papers["2401.04088"].version = 2
    papers["2401.04088"].title = "Mixtral of Experts, Revised"
    with serving(ArxivFake(papers)) as fake:
        env.update(PAPERBOT_ARXIV_API=fake.api, PAPERBOT_ARXIV_DELAY="0", PAPERBOT_CACHE_DIR=str(catalog_file.parent))
        cmd = [sys.executable, "-m", "bot", "refresh", "--catalog", str(catalog_file)]
        dry = subprocess.run([*cmd, "2401.04088"], capture_output=True, text=True, env=env, timeout=60)
        assert dry.returncode == 0, dry.stderr
        assert "mixtral (2401.04088): version not recorded → arXiv v2" in dry.stdout
        assert "title: 'Mixtral of Experts' → 'Mixtral of Experts, Revised'" in dry.stdout
        assert "nothing written (add --write to apply)" in dry.stdout and dry.stderr == ""
        wrote = subprocess.run([*cmd, "2401.04088", "--write"], capture_output=True, text=True, env=env, timeout=60)
        assert wrote.returncode == 0 and "written to" in wrote.stdout
        fake.api_mode = "500"
        before = catalog_file.read_bytes()
        bad = subprocess.run([*cmd, "--write"], capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "HTTP 500" in bad.stderr
    assert catalog_file.read_bytes() == before
    check = subprocess.run([sys.executable, "-m", "bot", "check", str(catalog_file)], capture_output=True, text=True,
                           env=env, timeout=60)
    assert check.returncode == 0, check.stdout
