"""The catalog: papers, sections and organisations, validated with YAML line numbers.

A Catalog is immutable once built; reloading builds a new one and the caller swaps a
reference. Loading goes through a compiled cache keyed by the file's content, because
parsing a 100,000-paper YAML file takes tens of seconds and a restart should not.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bot import yamlfile
from bot.schema import CatalogFile, Organisation, Paper, Section, error_messages
from bot.text import normalise
from bot.yamlfile import DataError, Document, Problem

# Bump when Paper/Catalog change shape, so old cache files are never unpickled into new code.
CACHE_VERSION = 4
_PARTS: dict[str, TypeAdapter[Any]] = {
    "sections": TypeAdapter(Section), "organisations": TypeAdapter(Organisation), "papers": TypeAdapter(Paper)}


@dataclass(frozen=True)
class Catalog:
    papers: tuple[Paper, ...]
    sections: tuple[Section, ...]
    organisations: tuple[Organisation, ...]
    source: str = ""
    digest_sha: str = ""
    _by_id: dict[str, Paper] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((p.id, p) for p in self.papers)

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[Paper]:
        return iter(self.papers)

    def get(self, paper_id: str) -> Paper | None:
        return self._by_id.get(paper_id)

    @cached_property
    def by_arxiv(self) -> dict[str, Paper]:
        return {p.arxiv: p for p in self.papers if p.arxiv}

    @cached_property
    def section_by_id(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    @cached_property
    def org_by_id(self) -> dict[str, Organisation]:
        return {o.id: o for o in self.organisations}

    @cached_property
    def section_names(self) -> dict[str, str]:
        """Normalised section names and aliases -> section id."""
        return {normalise(name): s.id for s in self.sections for name in (s.id, s.zh, s.en, *s.aliases)}

    @cached_property
    def org_names(self) -> dict[str, str]:
        """Normalised organisation names and aliases -> organisation id."""
        return {normalise(n): o.id for o in self.organisations for n in (o.id, o.en, o.zh, *o.aliases) if n}

    @cached_property
    def _groups(self) -> dict[str, tuple[Paper, ...]]:
        """Papers grouped once per catalog: "s:<section>", "o:<org>", "m:<YYYY-MM>", "y:<YYYY>",
        "d:<digest>".

        A paper counts in the month (and year) of the digest's date and of arXiv's first posting.
        Built once, so lists and pages stay cheap on a catalog of 100,000 papers.
        """
        groups: dict[str, list[Paper]] = {}
        for p in self.papers:
            keys = {f"s:{p.section}", *(f"o:{o}" for o in p.orgs), f"d:{p.digest}",
                    *(f"a:{author_key(a)}" for a in p.named_authors)}
            for date in filter(None, (p.date, p.arxiv_date)):
                keys |= {f"m:{date}", f"y:{date[:4]}"}
            for key in keys:
                groups.setdefault(key, []).append(p)
        return {k: tuple(v) for k, v in groups.items()}

    def in_section(self, section_id: str) -> tuple[Paper, ...]:
        return self._groups.get(f"s:{section_id}", ())

    def in_digest(self, digest_id: str, section_id: str) -> list[Paper]:
        """A digest's papers of one section, in the digest's order."""
        return [p for p in self._groups.get(f"d:{digest_id}", ()) if p.section == section_id]

    def by_author(self, key: str) -> tuple[Paper, ...]:
        """Papers with this author (`author_key` of the name)."""
        return self._groups.get(f"a:{key}", ())

    @cached_property
    def authors(self) -> dict[str, str]:
        """Each author's key -> the name as the catalog writes it (first seen)."""
        out: dict[str, str] = {}
        for p in self.papers:
            for a in p.named_authors:
                out.setdefault(author_key(a), display_name(a))
        return out

    def by_org(self, org_id: str) -> tuple[Paper, ...]:
        return self._groups.get(f"o:{org_id}", ())

    def in_month(self, year: int, month: int | None = None) -> tuple[Paper, ...]:
        """Papers dated in that month (or year), by the digest's date or arXiv's first posting."""
        return self._groups.get(f"m:{year:04d}-{month:02d}" if month else f"y:{year:04d}", ())

    @cached_property
    def years(self) -> tuple[int, ...]:
        """Every year a paper is dated in, ascending."""
        return tuple(sorted(int(k[2:]) for k in self._groups if k.startswith("y:")))

    @property
    def latest_year(self) -> int:
        """"This year", as readers of the catalog mean it: the year of its newest paper."""
        return self.years[-1] if self.years else 0

    def in_months(self, year: int | None, months: range) -> tuple[Paper, ...]:
        """Papers dated in any of these months of that year (of any year when None), catalog order."""
        if year is not None and len(months) == 12:
            return self.in_month(year)
        found = {p.id: p for y in ((year,) if year is not None else self.years) for m in months
                 for p in self._groups.get(f"m:{y:04d}-{m:02d}", ())}
        return tuple(sorted(found.values(), key=lambda p: self.position(p.id)))

    def position(self, paper_id: str) -> int:
        """The paper's index in `papers` (its document number in the search index)."""
        return self._positions[paper_id]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.papers)}

    def org_label(self, paper: Paper, lang: str) -> str:
        sep = "、" if lang == "zh" else ", "
        return sep.join(self.org_by_id[o].name("zh" if lang == "zh" else "en")
                        for o in paper.orgs if o in self.org_by_id)

    def section_label(self, paper: Paper, lang: str) -> str:
        section = self.section_by_id.get(paper.section)
        if section is None:
            return paper.section
        return section.zh if lang == "zh" else section.en


def display_name(author: str) -> str:
    """"Le Scao, Teven" (a surname of several words, written BibTeX's way) -> "Teven Le Scao"."""
    last, sep, first = author.partition(",")
    return f"{first.strip()} {last.strip()}" if sep else author


def author_key(author: str) -> str:
    """One form per author for lookups and callback data: the normal form, words joined by '+'."""
    return normalise(display_name(author)).replace(" ", "+")


def validate(doc: Document) -> Catalog:
    """Build a Catalog from a parsed file, or DataError listing every problem with its line.

    Entries are validated one by one, so one bad paper does not hide the problems of the
    others, and the cross-entry rules still run over the entries that are well formed.
    """
    problems: list[Problem] = []
    parts: dict[str, list[Any]] = {}
    rows: dict[str, list[int]] = {}
    for key, adapter in _PARTS.items():
        value = doc.data.get(key, [] if key != "papers" else None)
        if not isinstance(value, list):
            what = "missing required field" if value is None else f"expected a list, found {type(value).__name__}"
            problems.append(doc.problem((key,), f"{key}: {what}"))
            parts[key], rows[key] = [], []
            continue
        parts[key], rows[key] = [], []
        for i, entry in enumerate(value):
            try:
                parts[key].append(adapter.validate_python(entry))
                rows[key].append(i)
            except ValidationError as exc:
                problems.extend(doc.problem(loc, _with_entry(doc, (key, i), msg))
                                for loc, msg in error_messages(exc, prefix=(key, i)))
    for extra in sorted(set(doc.data) - set(_PARTS), key=str):
        problems.append(doc.problem((extra,), f"{extra}: unknown field"))
    parsed = CatalogFile(tuple(parts["papers"]), tuple(parts["sections"]), tuple(parts["organisations"]))
    problems.extend(cross_check(doc, parsed, rows["papers"]))
    if problems:
        raise DataError(problems)
    return Catalog(parsed.papers, parsed.sections, parsed.organisations, source=doc.file)


def _with_entry(doc: Document, loc: tuple[str | int, ...], message: str) -> str:
    """Prefix a message with the paper id, when the entry has one, for readers of long files."""
    if len(loc) >= 2 and loc[0] == "papers" and isinstance(loc[1], int):
        papers = doc.data.get("papers")
        if isinstance(papers, list) and loc[1] < len(papers) and isinstance(papers[loc[1]], dict):
            pid = papers[loc[1]].get("id")
            if isinstance(pid, str):
                return f"paper {pid!r}: {message}"
    return message


def cross_check(doc: Document, parsed: CatalogFile, rows: list[int]) -> Iterable[Problem]:
    """Rules across entries: unique ids, arXiv ids and aliases; known sections and organisations.

    `rows[i]` is the file position of `parsed.papers[i]`, for line numbers.
    """
    yield from _duplicates(doc, "sections", [s.id for s in parsed.sections], "section id")
    yield from _duplicates(doc, "organisations", [o.id for o in parsed.organisations], "organisation id")
    yield from _duplicates(doc, "papers", [p.id for p in parsed.papers], "paper id", rows)
    yield from _duplicates(doc, "papers", [p.arxiv for p in parsed.papers], "arXiv id", rows)
    sections = {s.id for s in parsed.sections}
    orgs = {o.id for o in parsed.organisations}
    owner: dict[str, tuple[int, str]] = {}
    for row, paper in enumerate(parsed.papers):
        i = rows[row]
        if paper.section not in sections:
            known = ", ".join(sorted(sections)) or "none defined"
            yield doc.problem(("papers", i, "section"),
                              f"paper {paper.id!r}: unknown section {paper.section!r} (known: {known})")
        for j, org in enumerate(paper.orgs):
            if org not in orgs:
                yield doc.problem(("papers", i, "orgs", j),
                                  f"paper {paper.id!r}: unknown organisation {org!r}")
        for j, alias in enumerate(paper.aliases):
            key = normalise(alias)
            first = owner.setdefault(key, (i, paper.id))
            if first[0] != i:
                yield doc.problem(("papers", i, "aliases", j),
                                  f"paper {paper.id!r}: alias {alias!r} is also an alias of "
                                  f"{first[1]!r} (line {doc.line(('papers', first[0]))})")


def _duplicates(doc: Document, key: str, values: list[Any], what: str,
                rows: list[int] | None = None) -> Iterable[Problem]:
    seen: dict[Any, int] = {}
    for row, value in enumerate(values):
        i = rows[row] if rows else row
        if value is None:
            continue
        if value in seen:
            first = doc.line((key, seen[value]))
            yield doc.problem((key, i), f"duplicate {what} {value!r} (first at line {first})")
        else:
            seen[value] = i


# --- loading, with the compiled cache ---------------------------------------------------


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "paperbot"


def load(path: Path, cache_dir: Path | None = None, *, use_cache: bool = True) -> Catalog:
    """Load and validate a catalog file; DataError when it is invalid.

    With the cache on, an unchanged file (same bytes) is unpickled instead of parsed.
    A cache that cannot be read or written is ignored: it only ever saves time.
    """
    # One cache file per catalog path: a changed file replaces its own entry and no other.
    stem = f"catalog-v{CACHE_VERSION}-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
    folder = cache_dir or default_cache_dir()
    if use_cache:
        # An unchanged file (same size, mtime and inode as when it was hashed) is not read or
        # hashed again: at 100,000 papers that is a fifth of a second of every start.
        digest = _known_digest(path, folder / f"{stem}.stat")
        cached = _read_cache(folder / f"{stem}-{digest}.pickle") if digest else None
        if cached is not None and digest:
            return Catalog(cached.papers, cached.sections, cached.organisations, source=str(path),
                           digest_sha=digest)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError([Problem(str(path), 1, f"cannot read: {exc.strerror or exc}")]) from None
    digest = hashlib.sha256(raw).hexdigest()
    cache_file = folder / f"{stem}-{digest}.pickle"
    if use_cache:
        _remember_digest(path, folder / f"{stem}.stat", digest)
        cached = _read_cache(cache_file)
        if cached is not None:
            return Catalog(cached.papers, cached.sections, cached.organisations,
                           source=str(path), digest_sha=digest)
    catalog = validate(yamlfile.parse(raw, str(path)))
    catalog = Catalog(catalog.papers, catalog.sections, catalog.organisations,
                      source=str(path), digest_sha=digest)
    if use_cache:
        _write_cache(cache_file, catalog)
    return catalog


def _stat_key(path: Path) -> str | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _known_digest(path: Path, stat_file: Path) -> str | None:
    """The content hash recorded for this file, if it has not changed since (size, mtime, inode)."""
    key = _stat_key(path)
    try:
        recorded, digest = stat_file.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return None
    return digest if key is not None and recorded == key else None


def _remember_digest(path: Path, stat_file: Path, digest: str) -> None:
    """Record the hash for this (size, mtime, inode), unless the file changed under two seconds
    ago: on a coarse-clock filesystem a second edit in the same tick would keep the same mtime
    ("racy clean", as git calls it), so such a file is hashed again next time."""
    key = _stat_key(path)
    if key is None or time.time() - int(key.split(":")[1]) / 1e9 < 2.0:
        return
    try:
        stat_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=stat_file.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{key} {digest}\n")
        os.replace(tmp, stat_file)
    except OSError:
        pass


def _read_cache(cache_file: Path) -> Catalog | None:
    try:
        with cache_file.open("rb") as fh:
            value = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return value if isinstance(value, Catalog) else None


def _write_cache(cache_file: Path, catalog: Catalog) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        stem = cache_file.name.rsplit("-", 1)[0]
        for old in cache_file.parent.glob(f"{stem}-*.pickle"):
            old.unlink(missing_ok=True)  # the older versions of this same file
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(catalog, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_file)
    except OSError:
        pass
