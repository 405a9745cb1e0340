"""The bundle's citations: real authors in BibTeX's form, never the organisation."""

from __future__ import annotations

import pytest

from bot.bundle import bib_name, bibtex_entry, bibtex_key
from bot.catalog import Catalog


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
