"""Catalog schema: every kind of problem is reported as FILE:LINE: message, all at once."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.catalog import Catalog
from bot.catalog.yamlfile import DataError

HEAD = """\
sections:
  - {id: base, zh: 基座, en: Foundation}
organisations:
  - {id: meta, en: Meta, zh: Meta}
papers:
"""

GOOD = """\
  - id: llama
    title: "LLaMA: Open and Efficient Foundation Language Models"
    aliases: [llama1]
    arxiv: "2302.13971"
    date: 2023-02
    section: base
    orgs: [meta]
    impact: {zh: 开源基座}
"""


def problems_of(tmp_path: Path, body: str | bytes) -> list[str]:
    path = tmp_path / "papers.yaml"
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    with pytest.raises(DataError) as info:
        catalog_mod.load(path, use_cache=False)
    return [str(p).replace(str(path), "F") for p in info.value.problems]


def test_the_shipped_catalog_holds_the_whole_digest(catalog: Catalog) -> None:
    assert len(catalog) == 26
    assert [s.zh for s in catalog.sections] == ["基座", "对齐", "agent（智能体）", "端侧", "多模态"]
    assert {p.section for p in catalog} == {s.id for s in catalog.sections}
    assert all(p.arxiv and p.impact.zh and p.impact.en and p.summary_en and p.abstract_zh for p in catalog)


def test_errata_keep_the_digest_value_and_serve_the_right_one(catalog: Catalog) -> None:
    kosmos, flm, gorilla, lookahead = (catalog.get(i) for i in
                                       ("kosmos-2", "flm-101b", "gorilla", "lookahead-decoding"))
    assert kosmos and flm and gorilla and lookahead
    assert kosmos.orgs == ("microsoft",) and kosmos.erratum("orgs").digest == "Salesforce"  # type: ignore[union-attr]
    assert flm.orgs == ("baai",) and flm.erratum("orgs").digest == "智谱"  # type: ignore[union-attr]
    wrong = gorilla.erratum("abstract_zh")
    assert wrong and "违反约束" in wrong.digest and "违反约束" not in gorilla.abstract_zh
    assert "APIBench" in gorilla.abstract_zh
    assert lookahead.abstract_zh and lookahead.erratum("abstract_zh")


def test_spinner_damage_is_cleaned(catalog: Catalog) -> None:
    served = " ".join(p.abstract_zh + p.impact.zh for p in catalog)
    for damaged in ("重大", "超级", "强劲", "依旧", "数据聚焦", "子聚焦", "业界第一个", "我们信任"):
        assert damaged not in served, damaged
    assert "第一阶段" in served  # a real 第一 survives


def test_every_paper_has_its_authors_in_arxiv_order(catalog: Catalog) -> None:
    assert all(p.named_authors for p in catalog)
    assert catalog.get("medusa").named_authors[:3] == ("Tianle Cai", "Yuhong Li", "Zhengyang Geng")  # type: ignore[union-attr]
    assert catalog.get("flashattention-2").authors == ("Tri Dao",)  # type: ignore[union-attr]
    gemini = catalog.get("gemini")
    assert gemini is not None and gemini.authors_cut and "others" not in gemini.named_authors
    assert catalog.authors["teven+le+scao"] == "Teven Le Scao"
    assert [p.id for p in catalog.by_author("hugo+touvron")] == ["llama", "llama-2", "code-llama"]


def test_facts_follow_the_papers_with_the_digest_kept_as_errata(catalog: Catalog) -> None:
    llava, lookahead = catalog.get("llava-1-5"), catalog.get("lookahead-decoding")
    assert llava is not None and "columbia" not in llava.orgs and llava.erratum("orgs")
    assert lookahead is not None and {"ucsd", "google", "berkeley"} <= set(lookahead.orgs)
    qwen = catalog.get("qwen-vl")
    assert qwen is not None and "GPT-4V" not in qwen.impact.zh + qwen.impact.en and "Genimi" in qwen.erratum("impact").digest  # type: ignore[union-attr]
    toolllm = catalog.get("toolllm")
    assert toolllm is not None and "ToolBench" in toolllm.impact.zh
    assert catalog.get("lets-verify-step-by-step").title == "Let's Verify Step by Step"  # type: ignore[union-attr]
    assert all(not any("\u4e00" <= c <= "\u9fff" for c in e.note) for p in catalog for e in p.errata)
    assert all(len(p.impact.zh) > 10 for p in catalog), "an impact line that only names the model"


def test_google_and_guge_are_one_organisation(catalog: Catalog) -> None:
    google = catalog.org_names["谷歌"]
    assert google == catalog.org_names["google"] == "google"
    ids = {p.id for p in catalog.by_org(google)}
    assert {"doremi", "speculative-decoding", "gemini", "fiat", "tasklama"} <= ids


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "papers.yaml"
    path.write_text(HEAD + GOOD, encoding="utf-8")
    cat = catalog_mod.load(path, use_cache=False)
    assert cat.get("llama") and cat.get("llama").pdf_url == "https://arxiv.org/pdf/2302.13971"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (GOOD + GOOD, "F:14: duplicate paper id 'llama' (first at line 6)"),
        (GOOD + GOOD.replace("id: llama", "id: llama-b").replace("llama1", "x"),
         "F:14: duplicate arXiv id '2302.13971' (first at line 6)"),
        (GOOD + GOOD.replace("id: llama", "id: other").replace("2302.13971", "2302.00001"),
         "F:16: paper 'other': alias 'llama1' is also an alias of 'llama' (line 6)"),
        (GOOD.replace("2023-02", "2023-13"), "F:10: paper 'llama': date: malformed value '2023-13'"),
        (GOOD.replace("2023-02", "Feb 2023"), "F:10: paper 'llama': date: malformed value 'Feb 2023'"),
        (GOOD.replace("section: base", "section: robots"),
         "F:11: paper 'llama': unknown section 'robots' (known: base)"),
        (GOOD.replace("orgs: [meta]", "orgs: [acme]"), "F:12: paper 'llama': unknown organisation 'acme'"),
        (GOOD.replace('    arxiv: "2302.13971"\n', '    arxiv: "arXiv:2302"\n'),
         "F:9: paper 'llama': arxiv: malformed value 'arXiv:2302'"),
        (GOOD.replace("    impact: {zh: 开源基座}\n", "    impact: {}\n"), "F:13: paper 'llama': impact: needs zh or en text"),
        (GOOD.replace("aliases: [llama1]", "aliases: llama1"),
         "F:8: paper 'llama': aliases: Input should be a valid tuple"),
        (GOOD.replace("orgs: [meta]", "orgs: [meta]\n    colour: red"), "F:13: paper 'llama': colour: unknown field"),
        (GOOD.replace("orgs: [meta]", "orgs: [meta]\n    links: {code: github.com/x}"),
         "F:13: paper 'llama': links.code: malformed value 'github.com/x'"),
        (GOOD.replace("aliases: [llama1]", "aliases: [llama1]\n    authors: [others, Hugo Touvron]"),
         'F:6: paper \'llama\': authors: "others" may only end the list (it marks a list cut short)'),
    ],
)
def test_each_problem_is_reported_with_its_line(tmp_path: Path, body: str, expected: str) -> None:
    assert expected in problems_of(tmp_path, HEAD + body)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    second = GOOD.replace("section: base", "section: x").replace("id: llama", "id: two")
    third = GOOD.replace("id: llama", "id: three").replace("2302.13971", "2302.00003")
    found = problems_of(tmp_path, HEAD + GOOD.replace("2023-02", "2023-13") + second + third)
    assert "F:10: paper 'llama': date: malformed value '2023-13'" in found
    assert "F:19: paper 'two': unknown section 'x' (known: base)" in found
    assert "F:22: duplicate arXiv id '2302.13971' (first at line 14)" not in found  # line 6 was invalid
    assert any(p.startswith("F:24: paper 'three': alias 'llama1'") for p in found)


def test_a_duplicate_after_an_invalid_entry_is_reported_at_its_own_line(tmp_path: Path) -> None:
    """The invalid first entry is left out of the cross-entry checks; the lines must not shift with it."""
    two = GOOD.replace("id: llama", "id: two").replace("[llama1]", "[two-a]")
    again = two.replace("[two-a]", "[two-b]").replace("2302.13971", "2302.00002")
    found = problems_of(tmp_path, HEAD + GOOD.replace("2023-02", "2023-13") + two + again)
    assert "F:22: duplicate paper id 'two' (first at line 14)" in found, found
    arxiv_twin = two.replace("id: two", "id: twin").replace("[two-a]", "[twin-a]")
    found = problems_of(tmp_path, HEAD + GOOD.replace("2023-02", "2023-13") + two + arxiv_twin)
    assert "F:22: duplicate arXiv id '2302.13971' (first at line 14)" in found, found


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "F:1: empty file: expected a YAML mapping"),
        ("# only a comment\n", "F:1: empty file: expected a YAML mapping"),
        ("- just\n- a list\n", "F:1: expected a mapping at the top, found list"),
        (HEAD + GOOD + "  - id: [unclosed\n", "F:14: invalid YAML"),   # the line with the open bracket
        (HEAD + GOOD + "    title: 'x'\n  bad: indent\n", "F:15: invalid YAML"),
        ("sections: []\n", "F:1: papers: missing required field"),
    ],
)
def test_file_level_problems(tmp_path: Path, body: str, expected: str) -> None:
    assert any(p.startswith(expected) for p in problems_of(tmp_path, body)), problems_of(tmp_path, body)


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    raw = (HEAD + GOOD).encode("utf-8").replace("开源基座".encode(), "开源基座".encode("gbk"))
    assert problems_of(tmp_path, raw)[0].startswith("F:13: not UTF-8 text")


def stores(cache: Path) -> list[Path]:
    return [p for p in cache.glob("papers-*") if p.is_dir()]


def test_the_cache_is_used_and_invalidated_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "papers.yaml"
    cache = tmp_path / "cache"
    path.write_text(HEAD + GOOD, encoding="utf-8")
    first = catalog_mod.load(path, cache)
    assert len(stores(cache)) == 1 and first.store is not None   # served from its store already
    again = catalog_mod.load(path, cache)
    assert list(again.papers) == list(first.papers) == list(catalog_mod.load(path, use_cache=False).papers)
    assert again.digest_sha == first.digest_sha
    path.write_text(HEAD + GOOD.replace("LLaMA: Open", "LLaMA: Changed"), encoding="utf-8")
    changed = catalog_mod.load(path, cache)
    assert changed.papers[0].title.startswith("LLaMA: Changed")
    assert stores(cache) == [changed.store and stores(cache)[0]]  # the stale store is gone
    assert first.papers[0].title.startswith("LLaMA: Open")     # ...yet still readable where it is mapped


def test_a_broken_edit_is_never_hidden_by_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "papers.yaml"
    path.write_text(HEAD + GOOD, encoding="utf-8")
    catalog_mod.load(path, tmp_path / "cache")
    path.write_text(HEAD + GOOD.replace("2023-02", "2023-99"), encoding="utf-8")
    with pytest.raises(DataError):
        catalog_mod.load(path, tmp_path / "cache")


@pytest.mark.parametrize("damage", ["records.npy", "ends.npy", "meta.pickle", "header.json"])
def test_a_damaged_store_is_parsed_again_with_one_line(tmp_path: Path, damage: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "papers.yaml"
    path.write_text(HEAD + GOOD, encoding="utf-8")
    catalog_mod.load(path, tmp_path / "cache")
    [store] = stores(tmp_path / "cache")
    raw = (store / damage).read_bytes()
    broken = {"records.npy": raw[:-3], "ends.npy": raw[:-3], "meta.pickle": raw.replace(b"llama", b"llamb"),
              "header.json": b"{not json"}[damage]
    (store / damage).write_bytes(broken)
    with caplog.at_level(logging.WARNING):
        again = catalog_mod.load(path, tmp_path / "cache")
    assert [p.id for p in again] == ["llama"] and again.with_arxiv("2302.13971") is not None
    assert sum("catalog cache" in r.message and "unusable" in r.message for r in caplog.records) == 1
    assert catalog_mod.load(path, tmp_path / "cache").store is not None    # and the store is written again


def test_yaml_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    bomb = HEAD + GOOD.replace("impact: {zh: 开源基座}", "impact: {zh: &big 开源基座}") + \
        GOOD.replace("id: llama", "id: other").replace("2302.13971", "2302.00001").replace(
            "aliases: [llama1]", "aliases: [x1]").replace("impact: {zh: 开源基座}", "impact: {zh: *big}")
    assert problems_of(tmp_path, bomb) == [
        "F:13: YAML anchors and aliases (&name / *name) are not allowed in data files: write the value out"]
    plain = HEAD + GOOD.replace("开源基座", "R&D * Q&A 开源基座")   # & and * inside text are fine
    path = tmp_path / "ok.yaml"
    path.write_text(plain, encoding="utf-8")
    assert catalog_mod.load(path, use_cache=False).get("llama") is not None


@pytest.mark.parametrize(("text", "line"), [
    ('sections: []\npapers: "unclosed\norganisations: []\n', 2),            # an unclosed quote
    ("sections: [a, b\npapers: []\norganisations: []\n", 1),                # an unclosed bracket
    ("sections: []\npapers\norganisations: []\n", 2),                       # a key without its colon
    ("papers:\n  - id: a\n    title: x\n   bad: y\n", 4),                   # bad indentation
    ("sections: []\n\tpapers: []\n", 2),                                     # a tab
    ("sections: []\npapers: x: y\n", 2),                                     # a colon in a plain value
])
def test_invalid_yaml_points_at_the_line_to_edit(tmp_path: Path, text: str, line: int) -> None:
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"F:{line}: invalid YAML")


def test_an_unchanged_file_is_not_hashed_again_and_an_edit_always_is(tmp_path: Path) -> None:
    import os

    path = tmp_path / "papers.yaml"
    cache = tmp_path / "cache"
    path.write_text(HEAD + GOOD, encoding="utf-8")
    assert catalog_mod.load(path, cache).get("llama") is not None
    assert not list(cache.glob("*.stat"))                 # just written: racy, so not remembered
    old = 1_600_000_000_000_000_000
    os.utime(path, ns=(old, old))                         # settled long ago
    catalog_mod.load(path, cache)
    [stat] = cache.glob("*.stat")
    assert stat.read_text().split()[1] == catalog_mod.load(path, cache).digest_sha
    path.write_text((HEAD + GOOD).replace("开源基座", "开源模型"), encoding="utf-8")   # a normal edit
    assert catalog_mod.load(path, cache).get("llama").impact.zh == "开源模型"  # type: ignore[union-attr]


def test_a_new_store_removes_this_catalogs_older_caches_of_any_format_and_no_other(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "papers.yaml"
    path.write_text(HEAD + GOOD, encoding="utf-8")
    cache = tmp_path / "cache"
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    cache.mkdir()
    legacy = [cache / f"catalog-v4-{key}-0123.pickle", cache / f"papers-0-py39-{key}-0123"]
    legacy[0].write_bytes(b"old")
    legacy[1].mkdir()
    other = cache / "papers-0-py39-0123456789ab-0123"   # another catalog file's store
    other.mkdir()
    catalog_mod.load(path, cache)
    assert not any(p.exists() for p in legacy) and other.exists()


def test_a_selections_positions_as_one_array(catalog: Catalog) -> None:
    """Every paper's range, a group's view and a list all give the same int64 positions."""
    import numpy as np

    from bot.catalog.catalog import Selection

    everything, google = catalog.everything(), catalog.by_org("google")
    assert everything.array().dtype == np.int64 and everything.array().tolist() == list(range(len(catalog)))
    assert google.array().dtype == np.int64 and google.array().tolist() == [catalog.position(p.id) for p in google]
    assert Selection(catalog.papers, [3, 1]).array().tolist() == [3, 1]
    assert Selection(catalog.papers, range(2, 9, 3)).array().tolist() == [2, 5, 8]
    assert catalog.groups["o:google"] == tuple(google.array().tolist())   # a table's value: a tuple of ints
    assert all(type(i) is int for i in catalog.groups["o:google"])
