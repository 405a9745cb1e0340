"""The "LLM论文" bundle: a deterministic zip built from the catalog.

Same catalog (and same operator PDFs) -> byte-identical zip: entries are sorted, timestamps
fixed, compression fixed. Holds the digest as Markdown, BibTeX, CSV and a links page.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.catalog.catalog import Catalog
from bot.catalog.schema import OTHERS, Digest, Paper

_EPOCH = (1980, 1, 1, 0, 0, 0)
_BIB_SPECIAL = re.compile(r"([&%$#_{}])")
_AUTHOR_SPECIAL = re.compile(r"([&%$#_])")   # an author's braces group a team's name


ARXIV_DOI = "10.48550/arXiv.{id}"   # the DataCite DOI arXiv registers for every paper
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_PARTICLES = frozenset({"de", "da", "del", "della", "der", "di", "du", "la", "las", "le", "van", "von", "den"})


def bib_name(author: str) -> str:
    """An author as BibTeX wants it: "Last, First". A name written "Le Scao, Teven" keeps its
    comma; lower-case particles ("de las Casas") stay with the surname; a team stays whole."""
    if "," in author:
        return author
    words = author.split()
    if len(words) == 1 or words[-1] == "Team":
        return "{" + author + "}"
    cut = len(words) - 1
    while cut > 1 and words[cut - 1] in _PARTICLES:
        cut -= 1
    return f"{' '.join(words[cut:])}, {' '.join(words[:cut])}"


def bibtex_key(paper: Paper) -> str:
    """"cai2024medusa": the first author's surname, the year, and the name (its first word when long)."""
    year = f"20{paper.arxiv[:2]}" if paper.arxiv else paper.date[:4]
    first = paper.named_authors[0] if paper.named_authors else ""
    surname = bib_name(first).strip("{}").split(",")[0].split()[-1] if first else ""
    words = re.findall(r"[a-z0-9]+", _ascii(paper.short_name).lower())
    word = "".join(words) if len(words) <= 2 else words[0] if words else paper.id  # "llama2", "codellama"
    return re.sub(r"[^a-z0-9]", "", _ascii(surname).lower()) + year + word


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def abstract_of(paper: Paper) -> str:
    """The abstract a citation carries, on one line: arXiv's English one, else the Chinese."""
    return " ".join((paper.abstract_en or paper.abstract_zh).split())


def bibtex_entry(paper: Paper, catalog: Catalog, *, full: bool = False) -> str:
    """A real citation: the authors in arXiv order (never the organisation), the arXiv fields;
    `full` adds what a reference manager keeps beside them (arXiv's DOI, the abstract)."""
    def field(text: str) -> str:
        return _BIB_SPECIAL.sub(r"\\\1", text)

    # A trailing "others" is BibTeX's own word for a list cut short.
    authors = " and ".join(a if a == OTHERS else _AUTHOR_SPECIAL.sub(r"\\\1", bib_name(a)) for a in paper.authors)
    year = f"20{paper.arxiv[:2]}" if paper.arxiv else paper.date[:4]
    lines = [f"@misc{{{bibtex_key(paper)},", f"  title = {{{{{field(paper.title)}}}}},"]
    if authors:
        lines.append(f"  author = {{{authors}}},")
    lines.append(f"  year = {{{year}}},")
    # The month of the first posting, which the arXiv id names (BibTeX's three-letter macro).
    month = int(paper.arxiv[2:4]) if paper.arxiv else int(paper.date[5:7])
    lines.append(f"  month = {_MONTHS[month - 1]},")
    if paper.arxiv:
        lines += [f"  eprint = {{{paper.arxiv}}},", "  archivePrefix = {arXiv},"]
        if paper.categories:
            lines.append(f"  primaryClass = {{{paper.categories[0]}}},")
        lines.append(f"  url = {{{paper.abs_url}}},")
        if full:
            lines.append(f"  doi = {{{ARXIV_DOI.format(id=paper.arxiv)}}},")
    abstract = abstract_of(paper)
    if full and abstract:
        lines.append(f"  abstract = {{{field(abstract)}}},")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join([*lines, "}"])


def digest_markdown(catalog: Catalog, digest: Digest | None) -> str:
    title = digest.title if digest else "paperbot catalog"
    section_ids = list(digest.sections) if digest else [s.id for s in catalog.sections]
    out = [f"# {title}", ""]
    for sid in section_ids:
        section = catalog.section_by_id.get(sid)
        out += [f"## {section.zh} · {section.en}" if section else f"## {sid}", ""]
        for paper in catalog.in_digest(digest.id, sid) if digest else catalog.in_section(sid):
            out.append(f"### {paper.title}")
            out.append("")
            out.append(f"- 发布时间 / date: {paper.date}" + (f" (arXiv {paper.arxiv_date})" if paper.arxiv_date else ""))
            out.append(f"- 发表单位 / organisation: {catalog.org_label(paper, 'zh')} ({catalog.org_label(paper, 'en')})")
            out.append(f"- 影响力 / impact: {paper.impact_in('zh')} — {paper.impact_in('en')}")
            if paper.arxiv:
                out.append(f"- arXiv: [{paper.arxiv}]({paper.abs_url}) · [PDF]({paper.pdf_url})")
            if paper.links.code:
                out.append(f"- code: {paper.links.code}")
            for erratum in paper.errata:
                if erratum.field != "abstract_zh" and erratum.digest:
                    out.append(f"- erratum ({erratum.field}): the digest says “{erratum.digest}”. {erratum.note}")
            out += ["", paper.summary_en, "", paper.abstract_zh, ""]
    if digest and digest.closing:
        out += ["---", digest.closing, ""]
    return "\n".join(out)


def papers_csv(catalog: Catalog) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "title", "arxiv", "date", "arxiv_date", "section", "organisations", "impact_zh",
                     "impact_en", "pdf", "code"])
    for p in catalog:
        writer.writerow([p.id, p.title, p.arxiv or "", p.date, p.arxiv_date or "", p.section,
                         "; ".join(catalog.org_label(p, "en").split(", ")), p.impact_in("zh"), p.impact_in("en"),
                         p.pdf_url or "", p.links.code or ""])
    return buf.getvalue()


def links_markdown(catalog: Catalog) -> str:
    lines = ["# PDF links", ""]
    lines += [f"- [{p.title}]({p.pdf_url})" for p in catalog if p.pdf_url]
    return "\n".join(lines) + "\n"


def _zip(files: dict[str, bytes], stored: frozenset[str] = frozenset()) -> bytes:
    """A deterministic zip: sorted names, a fixed date; PDFs stored as they are (they are
    compressed already, and a stored entry's size is exact, which the splitting relies on)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name], compresslevel=None if name in stored else 9)
    return buf.getvalue()


def _stored_cost(name: str, size: int) -> int:
    """Bytes a stored entry adds to a zip: local header, data, central directory record."""
    return 30 + 46 + 2 * len(name.encode()) + size


@dataclass(frozen=True)
class BundlePart:
    filename: str
    data: bytes
    pdfs: tuple[str, ...]


@dataclass(frozen=True)
class Bundle:
    parts: tuple[BundlePart, ...]
    too_large: tuple[str, ...]   # PDFs that alone exceed the limit: their links stay in links.md


def build_bundle_parts(catalog: Catalog, digest: Digest | None, pdf_dir: Path | None = None,
                       limit: int | None = None, stem: str = "papers") -> Bundle:
    """The bundle, split into zips that each stay under `limit` bytes (None: one zip).

    The first part holds the digest, BibTeX, CSV and links; the PDFs follow in name order, each
    in exactly one part, packed greedily. Same inputs give the same bytes.
    """
    meta = {
        "digest.md": digest_markdown(catalog, digest).encode(),
        "papers.bib": ("\n\n".join(bibtex_entry(p, catalog) for p in catalog) + "\n").encode(),
        "papers.csv": papers_csv(catalog).encode(),
        "links.md": links_markdown(catalog).encode(),
    }
    pdfs = sorted(pdf_dir.glob("*.pdf")) if pdf_dir and pdf_dir.is_dir() else []
    groups: list[list[Path]] = [[]]
    too_large: list[str] = []
    used = len(_zip(meta))
    for pdf in pdfs:
        cost = _stored_cost(f"pdf/{pdf.name}", pdf.stat().st_size)
        if limit is not None and 22 + cost > limit:
            too_large.append(pdf.name)
            continue
        if limit is not None and used + cost > limit:
            groups.append([])
            used = 22
        groups[-1].append(pdf)
        used += cost
    parts = []
    for n, group in enumerate(groups, 1):
        files = {f"pdf/{p.name}": p.read_bytes() for p in group}
        data = _zip({**(meta if n == 1 else {}), **files}, frozenset(files))
        if limit is not None and len(data) > limit:  # the exact accounting above makes this impossible
            raise AssertionError(f"bundle part {n} is {len(data)} bytes, over the {limit}-byte limit")
        name = f"{stem}.zip" if len(groups) == 1 else f"{stem}-part{n}of{len(groups)}.zip"
        parts.append(BundlePart(name, data, tuple(p.name for p in group)))
    return Bundle(tuple(parts), tuple(too_large))


def build_bundle(catalog: Catalog, digest: Digest | None, pdf_dir: Path | None = None) -> bytes:
    """The whole bundle as one zip (no upload limit)."""
    return build_bundle_parts(catalog, digest, pdf_dir).parts[0].data
