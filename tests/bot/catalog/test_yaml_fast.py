"""The fast YAML reader gives PyYAML's values exactly, or hands the file to PyYAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.catalog import yaml_fast, yamlfile
from bot.catalog.yamlfile import DataError

ROOT = Path(__file__).resolve().parents[3]

# Plain scalars where YAML 1.1 (PyYAML) and 1.2 (yaml-rs) disagree, their quoted forms, and
# the neighbours that must stay on the fast path.
TRICKY = [
    "a: yes",
    "a: 'yes'",
    "a: on",
    'a: "on"',
    "a: NO",
    "a: [x, off]",
    "a: {b: Off}",
    "yes: 1",
    "a: 010",
    "a: '010'",
    "a: [1, 010]",
    "a: -010",
    "a: 0o17",
    "a: '0o17'",
    "a: 00",
    "a: 0",
    "a: 1.0e3",
    "a: '1.0e3'",
    "a: 1.0e+3",
    "a: 1.5",
    "a: .inf",
    "a: .NaN",
    "a: 12:30",
    "a: '12:30'",
    "a: 190:20:30",
    "a: 2024-01-02",
    "a: '2024-01-02'",
    'a: "2024-01-02"',
    "a: 2001-12-14 21:59:43.10 -5",
    "a: 2024-01",
    "a: 2305.10601",
    "a: '2305.10601'",
    "<<: {b: 1}",
    "a: =",
    "a: 1\na: 2",
    "a: &x 1\nb: *x",
    "a: !!str 1",
    "%YAML 1.1\n---\na: 1",
    "\ufeffa: 1",
    "a: 0b101",
    "a: 0x1F",
    "a: 1_000",
    "a: +12",
    "a: ~",
    "a: null",
    "a:",
    "a: ''",
    "a: True",
    "a: tRue",
    "1: a",
    "a: text with 800,000 steps and 010 inside",
    "a: [b, c]\nd: 1,010",
    "a: |\n  yes\n  010\n",
    "a: >-\n  x\n  y\n",
    "a: 'it''s'",
    'a: "\\x41\\u00e9\\t"',
    "a: b\n  c",
    "a: 'x\n\n  y'",
    "a: [1, 2",
    "a: b: c",
    "- a\n- b",
    "",
    "a: R&D and Q&A *bold*",
    "a: 'Re-read 2026-12-02: ''**Affiliations:** x'', *not* an alias'",
    "a: [*x]",
    "- *x",
    "a: 'Re-read 2026-12-02 in'\nb: 2026-12-02",
    "a: [x,\n  010]",
    "a: [x, y]\nb: 1, 010",
]


def reading(raw: bytes) -> object:
    try:
        return yamlfile.parse(raw, "f.yaml").data
    except DataError as exc:
        return exc.problems


def fast_reading(raw: bytes) -> object:
    try:
        return yaml_fast.parse(raw, "f.yaml").data
    except DataError as exc:
        return exc.problems


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_scalars_read_as_pyyaml_reads_them(text: str) -> None:
    raw = text.encode()
    assert repr(fast_reading(raw)) == repr(reading(raw))  # repr: nan == nan, and problems compare


@pytest.mark.parametrize(
    "text",
    [
        "a: 'yes'",
        "a: '010'",
        "a: '2024-01-02'",
        "a: '12:30'",
        "a: '2305.10601'",
        "a: 1.0e+3x",
        "a: text with 800,000 steps",
        "a: [b, c]\nd: 42",
        "a: R&D",
        "a: 'Re-read 2026-12-02: ''**Affiliations:** x'', *not* an alias'",
    ],
)
def test_files_without_a_disagreement_take_the_fast_path(text: str) -> None:
    assert yaml_fast._fast(text.encode()) is not None


@pytest.mark.parametrize(
    "text",
    ["a: yes", "a: 010", "a: [1, 010]", "a: 0o17", "a: 2024-01-02", "a: 12:30", "a: 1.5", "<<: {b: 1}", "a: &x 1\nb: *x", "a: !!str 1"],
)
def test_files_with_a_possible_disagreement_go_to_pyyaml(text: str) -> None:
    assert yaml_fast._fast(text.encode()) is None


@pytest.mark.parametrize(
    "text, fast",
    [("\ufeffa: 中文\nb: [中文, yes]", False),           # the checks read bytes: a plain `yes` after CJK is seen
     ("a: 中文 yes\nb: 「010」", True),                  # inside a longer scalar, or after a CJK bracket: text
     ("a: 中文\nb: 010", False),
     ("a: 'é'\nb: 1", True)],
)
def test_the_fast_path_reads_the_bytes_and_agrees_with_pyyaml_beside_non_ascii_text(text: str, fast: bool) -> None:
    raw = text.encode()
    assert (yaml_fast._fast(raw) is not None) is fast
    assert yaml_fast.parse(raw, "f.yaml").data == yaml.load(raw, Loader=yamlfile.Loader)


def test_a_file_that_is_not_utf8_is_read_by_pyyaml(tmp_path: Path) -> None:
    path = tmp_path / "papers.yaml"
    path.write_bytes("a: café\n".encode("latin-1"))
    assert yaml_fast._fast(path.read_bytes()) is None
    with pytest.raises(DataError):
        yaml_fast.read(path)


def test_the_catalog_reads_the_same_and_fast() -> None:
    raw = (ROOT / "data" / "papers.yaml").read_bytes()
    assert yaml_fast._fast(raw) is not None
    assert yaml_fast.parse(raw, "papers.yaml").data == yaml.load(raw, Loader=yamlfile.Loader)


def test_a_fast_document_locates_lines_like_pyyaml() -> None:
    raw = b"papers:\n  - id: a\n    title: T\n  - id: b\n    title: U\n"
    fast, slow = yaml_fast.parse(raw, "f.yaml"), yamlfile.parse(raw, "f.yaml")
    assert fast.composed is None  # no tree until a line is asked for
    for path in (("papers",), ("papers", 1), ("papers", 1, "title"), ("papers", 0, "id")):
        assert fast.line(path) == slow.line(path)


def test_a_catalog_with_a_problem_is_reported_by_pyyaml_with_its_line(tmp_path: Path) -> None:
    from bot.catalog import catalog as catalog_mod

    text = (ROOT / "data" / "papers.yaml").read_text(encoding="utf-8")
    assert yaml_fast._fast(text.encode()) is not None  # the fast reader takes the valid file
    bad = text.replace("section: ", "section: no-such-section-", 1)
    line = next(n for n, row in enumerate(bad.splitlines(), 1) if "no-such-section-" in row)
    path = tmp_path / "papers.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError) as fast:
        catalog_mod.load(path, tmp_path / "cache")
    with pytest.raises(DataError) as slow:
        catalog_mod.validate(yamlfile.read(path))
    assert fast.value.problems == slow.value.problems
    assert any(p.line == line and "no-such-section-" in p.message for p in fast.value.problems)


@pytest.mark.parametrize("text", ["papers:\n  - id: a\n    title: T\n", "\ufeffa: yes\n", "a: &x 1\nb: *x\n", "a: [1,\n"])
def test_reading_a_file_is_parsing_its_bytes(tmp_path: Path, text: str) -> None:
    """`read` (the start's path, which lets the bytes go before parsing) gives what `parse` of
    the bytes gives, or raises the same problem, with the SHA-256 of the bytes read."""
    import hashlib

    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    raw = path.read_bytes()
    try:
        expected = yaml_fast.parse(raw, str(path)).data
    except DataError as exc:
        with pytest.raises(DataError) as got:
            yaml_fast.read(path)
        assert [str(p) for p in got.value.problems] == [str(p) for p in exc.problems]
        return
    doc, digest = yaml_fast.read(path)
    assert doc.data == expected and digest == hashlib.sha256(raw).hexdigest()
