"""abstract_en: arXiv's English abstract for every paper, checked by `paperbot check` with its FILE:LINE."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.yamlfile import DataError

DATA = Path(__file__).resolve().parents[3] / "data"


def test_every_paper_has_an_english_abstract_longer_than_its_summary() -> None:
    catalog = catalog_mod.load(DATA / "papers.yaml", use_cache=False)
    assert len(catalog) == 26
    for paper in catalog:
        assert len(paper.abstract_en) > len(paper.summary_en), paper.id
        assert paper.abstract_en.isascii() or paper.id == "llava-1-5", paper.id  # "∼1 day" is arXiv's own


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("'我们介绍了 LLaMA。'", "abstract_en holds Chinese"),
        ("'The code is available at this https URL.'", "abstract_en says 'this https URL'"),
        ("[one, two]", "abstract_en"),
    ],
)
def test_a_bad_english_abstract_is_reported_at_its_line(tmp_path: Path, value: str, message: str) -> None:
    text = (DATA / "papers.yaml").read_text(encoding="utf-8")
    start = text.index("- id: gptq\n")
    m = re.compile(r"^  abstract_en: .*$", re.M).search(text, start)
    assert m is not None
    path = tmp_path / "papers.yaml"
    path.write_text(text[: m.start()] + f"  abstract_en: {value}" + text[m.end() :], encoding="utf-8")
    with pytest.raises(DataError) as err:
        catalog_mod.load(path, use_cache=False)
    [problem] = err.value.problems
    assert message in problem.message and "gptq" in problem.message, problem
    assert problem.line == text[: m.start()].count("\n") + 1, problem
