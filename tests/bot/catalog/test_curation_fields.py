"""The fields refresh and enrich write (citations, venue, provenance, errata's sources) are
checked by `paperbot check` like every other, with their FILE:LINE."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.yamlfile import DataError

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.mark.parametrize(("added", "message"), [
    ("  citations: {count: -1, read: '2026-12-02'}\n", "citations.count"),
    ("  citations: {count: 12, read: '2026-13-02'}\n", "citations.read: malformed value '2026-13-02'"),
    ("  citations: {count: true, read: '2026-12-02'}\n", "citations.count"),
    ("  venue: {name: NeurIPS, year: 23}\n", "venue.year"),
    ("  venue: {short: NeurIPS}\n", "venue.name: missing required field"),
    ("  provenance:\n  - {field: colour, source: a guess}\n", "provenance of an unknown field 'colour'"),
    ("  provenance:\n  - {field: orgs}\n", "provenance.source: missing required field"),
    ("  errata:\n  - {field: authors, version: 1, note: n}\n", "give `replaced` too"),
    ("  errata:\n  - {field: venue, note: n}\n", "errata.field"),
    ("  arxiv_version: 0\n", "arxiv_version"),
    ("  venue: {name: NeurIPS, year: 2019}\n", "venue year 2019 is before the paper was posted (2023)"),
    ("  citations: {count: 3, read: '2020-01-05'}\n", "citations read on 2020-01-05, before the paper was posted"),
    ("  arxiv_version: 2\n  errata:\n  - {field: authors, version: 3, replaced: [A], note: n}\n",
     "a replaced value from v3 is newer than the version the catalog follows (arxiv_version 2)"),
])
def test_a_bad_new_field_is_reported_at_its_line(tmp_path: Path, added: str, message: str) -> None:
    text = (DATA / "papers.yaml").read_text(encoding="utf-8")
    at = text.index("- id: llm-in-a-flash\n") + len("- id: llm-in-a-flash\n")
    path = tmp_path / "papers.yaml"
    path.write_text(text[:at] + added + text[at:], encoding="utf-8")
    line = text[:at].count("\n") + 1
    with pytest.raises(DataError) as err:
        catalog_mod.load(path, use_cache=False)
    [problem] = err.value.problems
    assert message in problem.message and "llm-in-a-flash" in problem.message
    assert line <= problem.line <= line + added.count("\n"), problem

