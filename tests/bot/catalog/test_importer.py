"""`paperbot import-digest` against a sample of the digest article: same titles, dates and organisations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.catalog.catalog import Catalog
from bot.catalog.importer import clean, parse_digest, resolve_orgs, to_catalog
from tests.conftest import DATA, SEED, SEED_PAPERS


@pytest.fixture(scope="module")
def parsed():  # type: ignore[no-untyped-def]
    return parse_digest(SEED.read_text(encoding="utf-8"))


def test_the_sample_parses_into_its_papers_in_5_sections(parsed) -> None:  # type: ignore[no-untyped-def]
    assert parsed.title == "2023 AI核心论文"
    assert parsed.sections == ["基座", "对齐", "agent", "端侧", "多模态"]
    assert len(parsed.entries) == SEED_PAPERS
    assert parsed.keyword == "LLM论文"
    medusa = next(e for e in parsed.entries if e.title.startswith("Medusa"))
    assert medusa.abstract.count("\n\n") == 2  # three paragraphs kept
    toolllm = next(e for e in parsed.entries if e.title.startswith("TOOLLLM"))
    assert toolllm.urls == ["https://github.com/OpenBMB/ToolBench"]
    assert "https://github.com/OpenBMB/ToolBench 上公开获取" in toolllm.abstract
    lookahead = next(e for e in parsed.entries if e.title.startswith("Break the"))
    assert lookahead.abstract == "" and lookahead.impact


def test_import_matches_the_catalog_titles_dates_and_organisations(parsed, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    data = to_catalog(parsed, catalog)
    assert len(data["papers"]) == SEED_PAPERS and all(catalog.get(p["id"]) for p in data["papers"])
    assert {p["id"] for p in data["papers"]} >= {"kosmos-2", "flm-101b", "gorilla", "lookahead-decoding"}   # the errata
    for entry, imported in zip(parsed.entries, data["papers"], strict=True):
        paper = catalog.get(imported["id"])
        assert paper is not None, entry.title
        title_erratum = paper.erratum("title")
        assert entry.title == (title_erratum.digest if title_erratum else paper.title)
        assert imported["date"] == paper.date
        org_erratum = paper.erratum("orgs")
        if org_erratum:
            assert org_erratum.digest == entry.org
        else:
            assert set(imported["orgs"]) == set(paper.orgs), entry.org
        assert imported["section"] == paper.section


def test_organisation_strings_are_split_and_resolved(catalog: Catalog) -> None:
    assert resolve_orgs("伯克利,微软", catalog) == ["berkeley", "microsoft"]
    assert resolve_orgs("清华等", catalog) == ["tsinghua"]
    assert resolve_orgs("美国威斯康星大学,微软研究院和哥伦比亚大学研究人员", catalog) == [
        "wisconsin", "microsoft", "columbia"]
    assert resolve_orgs("Acme Labs", catalog) == ["acme-labs"]


@pytest.mark.parametrize(("damaged", "fixed"), [
    ("训练可靠模型的重大性", "训练可靠模型的重要性"),
    ("MATH 数据聚焦的问题", "MATH 数据集的问题"),
    ("我们第一介绍了", "我们首先介绍了"),
    ("第一阶段从冻结图像编码器", "第一阶段从冻结图像编码器"),
    ("指令调优主要聚焦在基本语言任务上", "指令调优主要聚焦在基本语言任务上"),
    ("实验结果表明", "实验结果表明"),
    ("视觉语言表明学习", "视觉语言表示学习"),
])
def test_spinner_fixes_keep_real_uses(damaged: str, fixed: str) -> None:
    assert clean(damaged) == fixed


def test_an_imported_digest_is_a_valid_catalog(tmp_path: Path) -> None:
    out = tmp_path / "imported.yaml"
    proc = subprocess.run([sys.executable, "-m", "bot", "import-digest", str(SEED), "-o", str(out),
                           "--no-reference"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert len(data["papers"]) == SEED_PAPERS
    check = subprocess.run([sys.executable, "-m", "bot", "check", str(out)], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"{SEED_PAPERS} papers, 5 sections" in check.stdout


def test_a_new_digest_in_the_same_format_imports(tmp_path: Path) -> None:
    article = "\n\n".join([
        "2024 AI核心论文", "推理",
        "Foo: A Paper About Things", "发布时间:2024.03", "发表单位:Acme,清华", "影响力:很重大",
        "摘要:第一行。", "第二段。", "https://github.com/acme/foo", "回复“2024论文”获取论文压缩包", "© 版权声明"])
    digest = parse_digest(article)
    data = to_catalog(digest, None, digest_id="2024-ai-core")
    paper = data["papers"][0]
    assert digest.keyword == "2024论文" and digest.sections == ["推理"]
    assert paper["date"] == "2024-03" and paper["impact"] == {"zh": "很重要"}
    assert paper["abstract_zh"] == "第一行。\n\n第二段。 https://github.com/acme/foo"
    assert paper["links"] == {"code": "https://github.com/acme/foo"}


def test_importing_the_sample_again_adds_nothing(tmp_path: Path) -> None:
    out = tmp_path / "merged.yaml"
    proc = subprocess.run([sys.executable, "-m", "bot", "import-digest", str(SEED), "--merge-into",
                           str(DATA / "papers.yaml"), "-o", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and f"0 new paper(s), {SEED_PAPERS} already in the catalog" in proc.stderr
    assert len(yaml.safe_load(out.read_text(encoding="utf-8"))["papers"]) == 26     # the catalog, unchanged


def test_a_new_digest_merges_without_duplicates(tmp_path: Path) -> None:
    article = tmp_path / "2024.txt"
    article.write_text("\n\n".join([
        "2024 AI核心论文", "端侧",
        "Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads",
        "发布时间:2024.01", "发表单位:普林斯顿", "影响力:重复的一篇", "摘要:已在目录中。",
        "Brand New Paper: About Something Else", "发布时间:2024.05", "发表单位:Acme Labs,清华",
        "影响力:新论文", "摘要:全新的摘要。", "回复“2024论文”获取论文压缩包"]), encoding="utf-8")
    out = tmp_path / "merged.yaml"
    proc = subprocess.run([sys.executable, "-m", "bot", "import-digest", str(article), "--merge-into",
                           str(DATA / "papers.yaml"), "-o", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "1 new paper(s), 1 already in the catalog (medusa)" in proc.stderr, proc.stderr
    papers = yaml.safe_load(out.read_text(encoding="utf-8"))["papers"]
    assert len(papers) == 27 and papers[-1]["id"] == "brand-new-paper" and papers[-1]["orgs"] == ["acme-labs", "tsinghua"]
    check = subprocess.run([sys.executable, "-m", "bot", "check", str(out)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout
    assert "27 papers" in check.stdout
