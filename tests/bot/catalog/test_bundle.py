"""The bundle: citations with real authors (never the organisation), and zips split under the upload limit."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from bot.catalog.bundle import bib_name, bibtex_entry, bibtex_key, build_bundle_parts
from bot.catalog.catalog import Catalog
from tests.fakes.arxiv import pdf_bytes


@pytest.mark.parametrize(("author", "bib"), [
    ("Tianle Cai", "Cai, Tianle"),
    ("Jason D. Lee", "Lee, Jason D."),
    ("Devendra Singh Chaplot", "Chaplot, Devendra Singh"),
    ("Diego de las Casas", "de las Casas, Diego"),      # particles stay with the surname
    ("Le Scao, Teven", "Le Scao, Teven"),               # a surname of two words is written with its comma
    ("Gemini Team", "{Gemini Team}"),                   # a team is one name
])
def test_names_in_bibtex_form(author: str, bib: str) -> None:
    assert bib_name(author) == bib


def test_an_entry_cites_the_authors_not_the_organisation(catalog: Catalog) -> None:
    medusa = catalog.get("medusa")
    assert medusa is not None
    entry = bibtex_entry(medusa, catalog)
    assert entry.startswith("@misc{cai2024medusa,")
    assert "author = {Cai, Tianle and Li, Yuhong and Geng, Zhengyang and Peng, Hongwu and Lee, Jason D. and " \
           "Chen, Deming and Dao, Tri}," in entry
    assert "Princeton" not in entry
    assert "eprint = {2401.10774}" in entry and "archivePrefix = {arXiv}" in entry
    assert "url = {https://arxiv.org/abs/2401.10774}" in entry


def test_a_list_cut_short_ends_with_others_and_a_known_class_is_given(catalog: Catalog) -> None:
    gemini, mixtral = catalog.get("gemini"), catalog.get("mixtral")
    assert gemini is not None and mixtral is not None
    assert "author = {{Gemini Team} and Anil, Rohan and" in bibtex_entry(gemini, catalog)
    assert bibtex_entry(gemini, catalog).split("author = {")[1].split("},")[0].endswith(" and others")
    mixtral_entry = bibtex_entry(mixtral, catalog)
    assert "primaryClass = {cs.LG}" in mixtral_entry and "Le Scao, Teven and" in mixtral_entry


def test_keys_are_unique_and_plain(catalog: Catalog) -> None:
    keys = [bibtex_key(p) for p in catalog]
    assert len(set(keys)) == len(keys)
    assert all(k.isascii() and k.isalnum() for k in keys)
    assert bibtex_key(catalog.get("code-llama")) == "roziere2023codellama"  # type: ignore[arg-type]


def _pdfs(folder: Path, sizes: dict[str, int]) -> None:
    folder.mkdir(exist_ok=True)
    for arxiv, size in sizes.items():
        (folder / f"{arxiv}.pdf").write_bytes(pdf_bytes(arxiv, size))


@pytest.mark.parametrize("limit", [60_000, 150_000, 400_000, 10_000_000])
def test_parts_stay_under_the_limit_and_hold_every_pdf_once(catalog: Catalog, tmp_path: Path, limit: int) -> None:
    sizes = {f"2401.{10000 + n}": 20_000 + 7_919 * n for n in range(12)}
    _pdfs(tmp_path, sizes)
    bundle = build_bundle_parts(catalog, None, tmp_path, limit, "2023-ai-core-papers")
    held: list[str] = []
    for n, part in enumerate(bundle.parts, 1):
        assert len(part.data) <= limit
        with zipfile.ZipFile(io.BytesIO(part.data)) as zf:
            names = zf.namelist()
            assert zf.testzip() is None
        assert ("papers.bib" in names) == (n == 1)                       # the metadata travels in part 1
        held += [name.removeprefix("pdf/") for name in names if name.startswith("pdf/")]
        expected = "2023-ai-core-papers.zip" if len(bundle.parts) == 1 else \
            f"2023-ai-core-papers-part{n}of{len(bundle.parts)}.zip"
        assert part.filename == expected
    assert sorted(held + list(bundle.too_large)) == sorted(f"{a}.pdf" for a in sizes)
    assert len(held) == len(set(held))
    assert (len(bundle.parts) > 1) == (limit < 1_000_000)          # 763 kB of PDFs in all
    again = build_bundle_parts(catalog, None, tmp_path, limit, "2023-ai-core-papers")
    assert [p.data for p in again.parts] == [p.data for p in bundle.parts]   # deterministic bytes


def test_a_pdf_larger_than_the_limit_is_left_out_and_said_so(catalog: Catalog, tmp_path: Path) -> None:
    _pdfs(tmp_path, {"2401.00001": 30_000, "2401.00002": 500_000})
    bundle = build_bundle_parts(catalog, None, tmp_path, 200_000)
    assert bundle.too_large == ("2401.00002.pdf",)
    assert [p.pdfs for p in bundle.parts] == [("2401.00001.pdf",)]


def _stored(name: str, cost: int) -> int:
    """The PDF size whose stored entry adds `cost` bytes to a zip (headers of 30 + 46 bytes, the name twice)."""
    return cost - 76 - 2 * len(f"pdf/{name}")


@pytest.mark.parametrize("over", [0, 1, 11, 22])
def test_a_part_within_the_end_record_of_the_limit_stays_under_it(catalog: Catalog, tmp_path: Path, over: int) -> None:
    """Each part carries a 22-byte end record: two PDFs that fit only without it must not share a part."""
    meta = len(build_bundle_parts(catalog, None, None).parts[0].data)
    limit = meta + 1_000
    first = (limit - 22 + over) // 2          # too big to join the metadata in part 1
    second = limit - 22 + over - first        # together with `first` and an end record: limit + over
    for name, cost in (("a.pdf", first), ("b.pdf", second)):
        (tmp_path / name).write_bytes(b"%PDF-" + b"x" * (_stored(name, cost) - 5))
    bundle = build_bundle_parts(catalog, None, tmp_path, limit)
    assert all(len(part.data) <= limit for part in bundle.parts)
    assert [p.pdfs for p in bundle.parts[1:]] == ([("a.pdf", "b.pdf")] if over == 0 else [("a.pdf",), ("b.pdf",)])
    if over == 0:
        assert len(bundle.parts[1].data) == limit                     # the accounting is exact


@pytest.mark.parametrize("over", [0, 1, 22])
def test_the_first_part_counts_the_metadata_exactly(catalog: Catalog, tmp_path: Path, over: int) -> None:
    meta = len(build_bundle_parts(catalog, None, None).parts[0].data)
    limit = meta + 5_000
    (tmp_path / "a.pdf").write_bytes(b"%PDF-" + b"x" * (_stored("a.pdf", limit - meta + over) - 5))
    bundle = build_bundle_parts(catalog, None, tmp_path, limit)
    assert all(len(part.data) <= limit for part in bundle.parts)
    assert [p.pdfs for p in bundle.parts] == ([("a.pdf",)] if over == 0 else [(), ("a.pdf",)])
