"""A reader's saved papers as files reference managers import: BibTeX, RIS and CSL-JSON.

Pure: papers in, bytes out. Every format carries the same facts, read once per paper by
`Reference`: the authors in arXiv order, the title, the year and month of the first arXiv
posting (the month the arXiv id names; the card's date when there is no arXiv id), the arXiv
id and URL, the DOI arXiv registers for every paper (10.48550/arXiv.ID), and the abstract.
BibTeX is the entry the card's BibTeX button shows (`bot.catalog.bundle.bibtex_entry`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.catalog.bundle import ARXIV_DOI, abstract_of, bib_name, bibtex_entry, bibtex_key
from bot.catalog.catalog import Catalog
from bot.catalog.schema import Paper
from bot.render.reply import Document

Format = Literal["bib", "ris", "csl"]
FORMATS: tuple[Format, ...] = ("bib", "ris", "csl")
# (file name, MIME type) of each format: what a reference manager opens by itself.
FILES: dict[Format, tuple[str, str]] = {
    "bib": ("saved.bib", "application/x-bibtex"),
    "ris": ("saved.ris", "application/x-research-info-systems"),
    "csl": ("saved.json", "application/vnd.citationstyles.csl+json"),
}


@dataclass(frozen=True)
class Author:
    family: str
    given: str = ""  # empty for a team ("Gemini Team"), which is one name


@dataclass(frozen=True)
class Reference:
    """What every export says about one paper."""

    key: str
    title: str
    authors: tuple[Author, ...]
    cut: bool  # the catalog's author list ends with "others"
    year: int
    month: int
    arxiv: str | None
    url: str | None
    pdf: str | None
    doi: str | None
    abstract: str
    categories: tuple[str, ...]

    @classmethod
    def of(cls, paper: Paper) -> Reference:
        # The arXiv id's YYMM is the month of the first posting, as BibTeX's year already is.
        year, month = (2000 + int(paper.arxiv[:2]), int(paper.arxiv[2:4])) if paper.arxiv else (int(paper.date[:4]), int(paper.date[5:7]))
        return cls(
            bibtex_key(paper),
            paper.title,
            tuple(_author(a) for a in paper.named_authors),
            paper.authors_cut,
            year,
            month,
            paper.arxiv,
            paper.abs_url,
            paper.pdf_url,
            ARXIV_DOI.format(id=paper.arxiv) if paper.arxiv else None,
            abstract_of(paper),
            paper.categories,
        )


def _author(name: str) -> Author:
    """ "Tianle Cai" -> Cai, Tianle; "Le Scao, Teven" and "de las Casas" as BibTeX splits them."""
    split = bib_name(name)
    if split.startswith("{"):
        return Author(split.strip("{}"))
    family, _, given = split.partition(", ")
    return Author(family, given)


def bibtex(papers: Sequence[Paper], catalog: Catalog) -> str:
    return "\n\n".join(bibtex_entry(p, catalog, full=True) for p in papers) + "\n"


def ris(papers: Sequence[Paper]) -> str:
    """RIS, one record per paper: tags in the order the RIS specification lists them, CRLF line
    ends as it asks. A preprint is JOUR with arXiv as its journal, as Google Scholar exports one:
    the type every reference manager imports with its DOI and URL intact."""
    out: list[str] = []
    for ref in map(Reference.of, papers):
        lines = [("TY", "JOUR"), ("ID", ref.key), ("TI", ref.title)]
        lines += [("AU", f"{a.family}, {a.given}" if a.given else a.family) for a in ref.authors]
        lines += [("PY", str(ref.year)), ("DA", f"{ref.year}/{ref.month:02d}")]
        if ref.arxiv:
            lines += [("JO", "arXiv"), ("PB", "arXiv"), ("AN", f"arXiv:{ref.arxiv}"), ("M3", "Preprint")]
        lines += [("KW", c) for c in ref.categories]
        if ref.doi:
            lines.append(("DO", ref.doi))
        if ref.url:
            lines.append(("UR", ref.url))
        if ref.pdf:
            lines.append(("L1", ref.pdf))
        if ref.abstract:
            lines.append(("AB", ref.abstract))
        if ref.cut:
            lines.append(("N1", "The author list is cut short; the paper names more authors."))
        out += [f"{tag}  - {_one_line(value)}" for tag, value in lines] + ["ER  - ", ""]
    return "\r\n".join(out)


def _one_line(text: str) -> str:
    """RIS ends a field at the line's end: a value never spans lines."""
    return " ".join(text.split())


def csl(papers: Sequence[Paper]) -> str:
    """CSL-JSON (the citation-style-language/schema's csl-data): a list of items, type "article"
    (CSL's type for a preprint), the arXiv id as its number, arXiv as its publisher."""
    items = []
    for ref in map(Reference.of, papers):
        item: dict[str, object] = {
            "id": ref.key,
            "type": "article",
            "title": ref.title,
            "author": [{"family": a.family, "given": a.given} if a.given else {"literal": a.family} for a in ref.authors],
            "issued": {"date-parts": [[ref.year, ref.month]]},
        }
        if ref.arxiv:
            item |= {"number": f"arXiv:{ref.arxiv}", "publisher": "arXiv", "archive": "arXiv", "archive_location": ref.arxiv}
        if ref.doi:
            item["DOI"] = ref.doi
        if ref.url:
            item["URL"] = ref.url
        if ref.categories:
            item["keyword"] = ", ".join(ref.categories)
        if ref.abstract:
            item["abstract"] = ref.abstract
        if ref.cut:
            item["note"] = "The author list is cut short; the paper names more authors."
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


def export(papers: Sequence[Paper], catalog: Catalog, fmt: Format) -> Document:
    """The saved papers as one file of that format, named and typed for a reference manager."""
    text = bibtex(papers, catalog) if fmt == "bib" else ris(papers) if fmt == "ris" else csl(papers)
    filename, mime = FILES[fmt]
    return Document("file", f"saved-{fmt}", filename, text.encode(), mime)
