"""The audit of issue #24: the shipped catalog holds the corrected facts, keeps the old values as
errata, and says where each correction was read (so the next audit can check it)."""

from __future__ import annotations

import pytest

from bot.catalog.catalog import Catalog
from bot.catalog.schema import Paper


def paper(catalog: Catalog, pid: str) -> Paper:
    found = catalog.get(pid)
    assert found is not None, pid
    return found


def test_code_llama_has_its_26_authors(catalog: Catalog) -> None:
    p = paper(catalog, "code-llama")
    assert len(p.authors) == 26
    i = p.authors.index("Romain Sauvestre")
    assert p.authors[i - 1:i + 2] == ("Jingyu Liu", "Romain Sauvestre", "Tal Remez")
    assert len(p.errata[-1].replaced) == 25 and p.errata[-1].field == "authors"


def test_toolllm_has_its_19_authors_and_its_venue(catalog: Catalog) -> None:
    p = paper(catalog, "toolllm")
    assert len(p.authors) == 19 and p.authors[p.authors.index("Sihan Zhao") + 1] == "Lauren Hong"
    assert p.venue is not None and p.venue.label == "ICLR 2024"


def test_gemini_follows_the_current_author_order(catalog: Catalog) -> None:
    p = paper(catalog, "gemini")
    assert p.named_authors[1:10] == ("Rohan Anil", "Sebastian Borgeaud", "Jean-Baptiste Alayrac", "Jiahui Yu",
                                     "Radu Soricut", "Johan Schalkwyk", "Andrew M. Dai", "Anja Hauth", "Katie Millican")
    assert p.authors_cut and "Yonghui Wu" in p.errata[-1].replaced and p.errata[-1].version == 1


def test_specinfer_title_organisations_and_code(catalog: Catalog) -> None:
    p = paper(catalog, "specinfer")
    assert p.title.startswith("SpecInfer: Accelerating Generative Large Language Model Serving")
    assert p.orgs == ("cmu", "stanford", "ucsd") and p.links.code == "https://github.com/flexflow/flexflow-serve"
    assert {e.field for e in p.errata} == {"title", "orgs", "links.code"}
    assert p.erratum("orgs") is not None and p.erratum("orgs").digest == "CMU"  # type: ignore[union-attr]


def test_renamed_and_shared_code_links_are_fixed(catalog: Catalog) -> None:
    assert paper(catalog, "mixtral").links.code == "https://github.com/mistralai/mistral-inference"
    llama, llama2 = paper(catalog, "llama"), paper(catalog, "llama-2")
    assert llama.links.code == "https://github.com/meta-llama/llama/tree/llama_v1"
    assert llama.links.code != llama2.links.code


def test_medusa_lists_every_affiliation_of_its_header(catalog: Catalog) -> None:
    p = paper(catalog, "medusa")
    assert p.orgs == ("princeton", "together-ai", "uiuc", "cmu", "uconn")
    assert catalog.org_label(p, "en").startswith("Princeton University")
    assert p.venue is not None and p.venue.label == "ICML 2024"


@pytest.mark.parametrize("pid", ["lets-verify-step-by-step", "tasklama", "fiat", "gorilla", "speculative-decoding",
                                 "blip-2", "llava-1-5", "flashattention-2", "gptq"])
def test_each_paper_checked_says_what_it_was_checked_against(catalog: Catalog, pid: str) -> None:
    p = paper(catalog, pid)
    assert p.provenance and all(r.source and r.checked for r in p.provenance)


def test_every_correction_says_where_it_was_read(catalog: Catalog) -> None:
    corrected = [(p.id, e) for p in catalog for e in p.errata if e.replaced]
    assert len(corrected) >= 8 and all(e.source for _, e in corrected)
