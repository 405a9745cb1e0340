"""Exports of saved papers, read back by the parsers reference managers' users rely on:
rispy (RIS), citeproc-py (CSL-JSON, rendered through a real citation style) and bibtexparser."""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from bot.catalog.bundle import bib_name
from bot.catalog.catalog import Catalog
from bot.catalog.schema import Paper
from bot.render import exports


def _split(author: str) -> tuple[str, str]:
    """(family, given) as the exports should write the catalog's author."""
    name = bib_name(author)
    if name.startswith("{"):
        return name.strip("{}"), ""
    family, _, given = name.partition(", ")
    return family, given


def _month(paper: Paper) -> int:
    return int(paper.arxiv[2:4]) if paper.arxiv else int(paper.date[5:7])


def test_ris_reads_back_every_field_of_every_paper(catalog: Catalog) -> None:
    papers = list(catalog)
    text = exports.ris(papers)
    lines = text.split("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF line ends
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines if line)  # no value over two lines
    records = rispy.loads(text)
    assert len(records) == len(papers)
    for paper, record in zip(papers, records, strict=True):
        assert record["title"] == paper.title
        assert record["authors"] == [f"{f}, {g}" if g else f for f, g in map(_split, paper.named_authors)]  # in order
        assert record["year"] == (f"20{paper.arxiv[:2]}" if paper.arxiv else str(paper.year))
        assert record["date"] == f"{record['year']}/{_month(paper):02d}"
        if paper.arxiv:
            assert record["urls"] == [f"https://arxiv.org/abs/{paper.arxiv}"]
            assert record["doi"] == f"10.48550/arXiv.{paper.arxiv}"
            assert record["accession_number"] == f"arXiv:{paper.arxiv}"
            assert record["file_attachments1"] == f"https://arxiv.org/pdf/{paper.arxiv}"
        assert record["abstract"] == " ".join((paper.abstract_en or paper.abstract_zh).split())
        assert record["type_of_reference"] == "JOUR" and record.get("keywords", []) == list(paper.categories)


def test_ris_of_medusa_names_its_seven_authors_first_to_last(catalog: Catalog) -> None:
    medusa = catalog.get("medusa")
    assert medusa is not None
    [record] = rispy.loads(exports.ris([medusa]))
    assert record["authors"][0] == "Cai, Tianle" and record["authors"][-1] == "Dao, Tri" and len(record["authors"]) == 7
    assert record["date"] == "2024/01" and record["doi"] == "10.48550/arXiv.2401.10774"
    assert record["abstract"] and record["abstract"] == " ".join((medusa.abstract_en or medusa.abstract_zh).split())


def test_csl_json_is_rendered_by_a_citation_processor(catalog: Catalog) -> None:
    papers = list(catalog)
    items = json.loads(exports.csl(papers))
    assert [i["id"] for i in items] == [exports.Reference.of(p).key for p in papers]
    assert len({i["id"] for i in items}) == len(items)  # a processor cites by id: no two alike
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = {str(entry) for entry in bibliography.bibliography()}
    assert len(rendered) == len(papers)
    medusa = next(e for e in rendered if "Medusa" in e)
    assert medusa.startswith("Cai, T.") and "2024" in medusa and "10.48550/arXiv.2401.10774" in medusa


def test_csl_items_carry_authors_date_ids_and_abstract(catalog: Catalog) -> None:
    for paper, item in zip(catalog, json.loads(exports.csl(list(catalog))), strict=True):
        want = [{"family": f, "given": g} if g else {"literal": f} for f, g in map(_split, paper.named_authors)]
        assert item["author"] == want and item["title"] == paper.title and item["type"] == "article"
        assert item["issued"] == {"date-parts": [[int(item["issued"]["date-parts"][0][0]), _month(paper)]]}
        if paper.arxiv:
            assert item["issued"]["date-parts"][0][0] == 2000 + int(paper.arxiv[:2])
            assert item["number"] == f"arXiv:{paper.arxiv}" and item["URL"] == paper.abs_url
            assert item["DOI"] == f"10.48550/arXiv.{paper.arxiv}"
        assert item.get("abstract", "") == " ".join((paper.abstract_en or paper.abstract_zh).split())


def test_bibtex_export_parses_with_every_field(catalog: Catalog) -> None:
    papers = list(catalog)
    library = bibtexparser.parse_string(exports.bibtex(papers, catalog))
    assert not library.failed_blocks and len(library.entries) == len(papers)
    for paper, entry in zip(papers, library.entries, strict=True):
        fields = {f.key: f.value for f in entry.fields}
        authors = [a.strip() for a in fields["author"].split(" and ")]
        assert len(authors) == len(paper.authors) and authors[0].strip("{}").startswith(_split(paper.authors[0])[0])
        assert fields["month"] in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
        if paper.arxiv:
            assert fields["eprint"] == paper.arxiv and fields["doi"] == f"10.48550/arXiv.{paper.arxiv}"
        assert bool(fields.get("abstract")) == bool(paper.abstract_en or paper.abstract_zh)


@pytest.mark.parametrize(
    ("fmt", "name", "mime"),
    [
        ("bib", "saved.bib", "application/x-bibtex"),
        ("ris", "saved.ris", "application/x-research-info-systems"),
        ("csl", "saved.json", "application/vnd.citationstyles.csl+json"),
    ],
)
def test_each_format_is_a_named_and_typed_file(catalog: Catalog, fmt: exports.Format, name: str, mime: str) -> None:
    document = exports.export(list(catalog)[:3], catalog, fmt)
    assert (document.filename, document.mime) == (name, mime) and document.data
