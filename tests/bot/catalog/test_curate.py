"""`paperbot add`: new papers appended to the catalog file, or the file left exactly as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.curate import CurateError, add_papers, insert_papers
from bot.render.renderer import Renderer
from tests.fakes.arxiv import ArxivFake, serving
from tests.html_rules import html_problem

from .test_arxiv import FLASH, OTHER

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture()
def catalog_file(tmp_path: Path) -> Path:
    path = tmp_path / "papers.yaml"
    path.write_bytes((DATA / "papers.yaml").read_bytes())
    return path


def test_papers_are_appended_with_comments_and_order_kept(catalog_file: Path) -> None:
    before = catalog_file.read_text(encoding="utf-8")
    with serving(ArxivFake({FLASH.arxiv: FLASH, OTHER.arxiv: OTHER})) as fake:
        result = add_papers(catalog_file, ["2205.14135v2", "arXiv:2405.00001"], "foundation", ["stanford"],
                            api=fake.api, delay=0, cache_dir=catalog_file.parent)
    assert [pid for pid, _ in result.added] == ["flashattention", "a-second-paper"]
    after = catalog_file.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n")) and after.count("# ") == before.count("# ")
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    flash = catalog.get("flashattention")
    assert flash is not None and flash.authors == tuple(FLASH.authors) and flash.arxiv == "2205.14135"
    assert flash.date == "2022-05" and flash.orgs == ("stanford",) and flash.categories == ("cs.LG", "cs.CL")
    assert flash.summary_en.startswith("Transformers are slow") and flash.impact is None
    assert [p.id for p in catalog][-2:] == ["flashattention", "a-second-paper"]


def test_a_paper_already_there_is_reported_not_duplicated(catalog_file: Path) -> None:
    before = catalog_file.read_bytes()
    with serving(ArxivFake()) as fake:
        result = add_papers(catalog_file, ["2401.10774"], "on-device", [], api=fake.api, delay=0, cache_dir=catalog_file.parent)
        assert result.present == (("2401.10774", "medusa"),) and not result.added and not fake.requests
    assert catalog_file.read_bytes() == before


@pytest.mark.parametrize(("mode", "ids", "section", "orgs", "message"), [
    ("500", ["2205.14135"], "foundation", [], "HTTP 500"),
    ("garbage", ["2205.14135"], "foundation", [], "malformed XML"),
    ("ok", ["2205.14135", "2405.99999"], "foundation", [], "no paper 2405.99999"),
    ("ok", ["1234"], "foundation", [], "not an arXiv id"),
    ("ok", ["2205.14135"], "robots", [], "unknown section 'robots'"),
    ("ok", ["2205.14135"], "foundation", ["acme"], "unknown organisation 'acme'"),
])
def test_any_failure_leaves_the_file_byte_for_byte(catalog_file: Path, mode: str, ids: list[str], section: str,
                                                   orgs: list[str], message: str) -> None:
    before = catalog_file.read_bytes()
    with serving(ArxivFake({FLASH.arxiv: FLASH}, api_mode=mode)) as fake, pytest.raises(CurateError, match=message):
        add_papers(catalog_file, ids, section, orgs, api=fake.api, delay=0, cache_dir=catalog_file.parent, timeout=2)
    assert catalog_file.read_bytes() == before
    assert not [p for p in catalog_file.parent.iterdir() if p.name.endswith(".tmp")]


def test_insertion_goes_after_the_last_paper_even_with_keys_after_the_list() -> None:
    text = "sections: []\npapers:\n- id: a\n  title: A\n\n# trailing note\norganisations: []\n"
    out = insert_papers(text, "f.yaml", "- id: b\n  title: B\n")
    assert out == "sections: []\npapers:\n- id: a\n  title: A\n\n- id: b\n  title: B\n\n# trailing note\norganisations: []\n"


def test_an_added_paper_without_impact_or_organisation_renders_well(catalog_file: Path) -> None:
    with serving(ArxivFake({OTHER.arxiv: OTHER})) as fake:
        add_papers(catalog_file, [OTHER.arxiv], "agent", [], api=fake.api, delay=0, cache_dir=catalog_file.parent)
    catalog = catalog_mod.load(catalog_file, use_cache=False)
    paper = catalog.get("a-second-paper")
    assert paper is not None
    for lang in ("zh", "en"):
        r = Renderer(catalog, lang)  # type: ignore[arg-type]
        for reply in (r.cards.card(paper), r.cards.card(paper, "who"), r.cards.card(paper, "impact"), r.cards.card(paper, expanded=True),
                      r.cards.bibtex(paper)):
            assert html_problem(reply.text) is None and "None" not in reply.text
        assert "Ada Lovelace" in r.cards.card(paper, "who").text


def test_the_command_line_exits_1_with_one_line_and_0_with_a_report(catalog_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
    with serving(ArxivFake({FLASH.arxiv: FLASH})) as fake:
        env.update(PAPERBOT_ARXIV_API=fake.api, PAPERBOT_ARXIV_DELAY="0", PAPERBOT_CACHE_DIR=str(catalog_file.parent))
        cmd = [sys.executable, "-m", "bot", "add", "--catalog", str(catalog_file), "--section", "foundation"]
        bad = subprocess.run([*cmd, "2405.99999"], capture_output=True, text=True, env=env, timeout=60)
        assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "no paper 2405.99999" in bad.stderr
        good = subprocess.run([*cmd, "2205.14135", "2401.10774"], capture_output=True, text=True, env=env, timeout=60)
    assert good.returncode == 0, good.stderr
    assert "already in the catalog: 2401.10774 (medusa)" in good.stdout and "added flashattention" in good.stdout
    check = subprocess.run([sys.executable, "-m", "bot", "check", str(catalog_file)], capture_output=True, text=True,
                           env=env, timeout=60)
    assert check.returncode == 0 and "27 papers" in check.stdout


def test_fetch_pdfs_reports_progress_and_failures(tmp_path: Path) -> None:
    catalog = tmp_path / "papers.yaml"
    catalog.write_bytes((DATA / "papers.yaml").read_bytes())
    arxiv_ids = [p.arxiv for p in catalog_mod.load(catalog, use_cache=False) if p.arxiv]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOT_")}
    dest = tmp_path / "bundle"
    with serving(ArxivFake(pdfs={a: 2_000 for a in arxiv_ids[1:]})) as fake:
        env.update(PAPERBOT_ARXIV_PDF=fake.pdf_base, PAPERBOT_ARXIV_DELAY="0", PAPERBOT_CACHE_DIR=str(tmp_path))
        cmd = [sys.executable, "-m", "bot", "fetch-pdfs", "--catalog", str(catalog), "--dest", str(dest)]
        first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        assert first.returncode == 1 and f"{arxiv_ids[0]} failed" in first.stderr
        assert f"[{'#' * 30}] 26/26" in first.stdout and "25 downloaded, 0 already there, 1 failed" in first.stdout
        fake.pdfs[arxiv_ids[0]] = 2_000
        second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0 and "1 downloaded, 25 already there, 0 failed" in second.stdout
    assert len(list(dest.glob("*.pdf"))) == 26


def test_import_digest_enrich_fills_authors_through_the_same_path(tmp_path: Path) -> None:
    from bot.catalog.curate import enrich

    papers = [{"id": "flash", "arxiv": "2205.14135", "section": "foundation"}, {"id": "no-arxiv", "section": "x"}]
    with serving(ArxivFake({FLASH.arxiv: FLASH})) as fake:
        assert enrich(papers, api=fake.api, delay=0) == 1
        with pytest.raises(CurateError, match="HTTP 500"):
            fake.api_mode = "500"
            enrich([{"id": "f", "arxiv": "2205.14135"}], api=fake.api, delay=0)
    assert papers[0]["authors"] == FLASH.authors and papers[0]["categories"] == ["cs.LG", "cs.CL"]
    assert "authors" not in papers[1]
