"""The one schema for paperbot's data files: catalog (papers.yaml), keyword rules, digests.

Pydantic validates the shapes; `cross_check` adds the rules that span entries (duplicates,
references). Everything is reported with the YAML line of the offending entry.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic.dataclasses import dataclass

OTHERS = "others"   # the last author of a list cut short, as BibTeX writes it
STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")]
ArxivId = Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d{4,5}$")]
ArxivCategory = Annotated[str, StringConstraints(pattern=r"^[a-z-]+(\.[A-Za-z-]+)?$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$")]
Month = Annotated[str, StringConstraints(pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])$")]
Day = Annotated[str, StringConstraints(pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]
Count = Annotated[int, Field(ge=0, strict=True)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Language = Literal["zh", "en"]


@dataclass(config=STRICT)
class Text:
    """A text in Chinese and English; either may be missing, never both."""

    zh: str = ""
    en: str = ""

    def get(self, lang: Language) -> str:
        return (self.zh or self.en) if lang == "zh" else (self.en or self.zh)

    @model_validator(mode="after")
    def _not_empty(self) -> Text:
        if not self.zh and not self.en:
            raise ValueError("needs zh or en text")
        return self


@dataclass(config=STRICT)
class Section:
    id: Slug
    zh: NonEmpty
    en: NonEmpty
    aliases: tuple[NonEmpty, ...] = ()


@dataclass(config=STRICT)
class Organisation:
    id: Slug
    en: NonEmpty
    zh: str = ""
    aliases: tuple[NonEmpty, ...] = ()

    def name(self, lang: Language) -> str:
        return (self.zh or self.en) if lang == "zh" else self.en


# The fields a correction may concern: the digest's, arXiv's (refresh) and the code link (enrich).
CorrectedField = Literal["orgs", "abstract_zh", "date", "title", "impact", "authors", "abstract_en", "links.code"]


@dataclass(config=STRICT)
class Erratum:
    """Where the digest, or an earlier catalog value, is wrong: that value stays visible here and
    the paper serves the right one. `digest` is the digest's own text; `replaced` is a value the
    catalog held before (from arXiv version `version` when known); `source` is where the value
    served now was read, so the next audit can check it."""

    field: CorrectedField
    note: NonEmpty
    digest: str = ""
    replaced: str | tuple[str, ...] = ""
    version: Annotated[int, Field(ge=1)] | None = None
    source: str = ""

    @model_validator(mode="after")
    def _version_of_a_value(self) -> Erratum:
        if self.version is not None and not self.replaced:
            raise ValueError("version: says which arXiv version a replaced value came from; give `replaced` too")
        return self


@dataclass(config=STRICT)
class Citations:
    """How often the paper is cited, as a citation service counted on the day it was read."""

    count: Count
    read: Day
    influential: Count = 0
    source: NonEmpty = "Semantic Scholar"


@dataclass(config=STRICT)
class Venue:
    """Where the paper was published ("NeurIPS", 2023); `name` in full, `short` as people say it."""

    name: NonEmpty
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    short: str = ""
    source: str = ""

    @property
    def label(self) -> str:
        return " ".join(filter(None, (self.short or self.name, str(self.year) if self.year else "")))


@dataclass(config=STRICT)
class Provenance:
    """Where a field's value was checked, and when: what the next audit starts from."""

    field: NonEmpty
    source: NonEmpty
    checked: Day | None = None
    note: str = ""


@dataclass(config=STRICT)
class Links:
    code: Url | None = None
    data: Url | None = None
    project: Url | None = None


@dataclass(config=STRICT)
class Paper:
    id: Slug
    title: NonEmpty
    section: Slug
    date: Month
    # A paper added by its arXiv id may lack what arXiv cannot tell: organisation, impact.
    orgs: tuple[Slug, ...] = ()
    impact: Text | None = None
    arxiv: ArxivId | None = None
    arxiv_date: Month | None = None
    arxiv_version: Annotated[int, Field(ge=1)] | None = None   # the arXiv version title, authors, abstract follow
    # In arXiv order; a last "others" marks a list cut short (a team of hundreds).
    authors: tuple[NonEmpty, ...] = ()
    categories: tuple[ArxivCategory, ...] = ()   # arXiv's, the primary one first
    aliases: tuple[NonEmpty, ...] = ()
    summary_en: str = ""
    abstract_en: str = ""
    abstract_zh: str = ""
    digest: str = ""
    links: Links = Links()
    errata: tuple[Erratum, ...] = ()
    topics: tuple[Slug, ...] = ()   # ids of data/topics.yaml: what the paper is about, across sections
    citations: Citations | None = None
    venue: Venue | None = None
    provenance: tuple[Provenance, ...] = ()

    @model_validator(mode="after")
    def _others_last(self) -> Paper:
        if OTHERS in self.authors[:-1]:
            raise ValueError(f'authors: "{OTHERS}" may only end the list (it marks a list cut short)')
        return self

    @property
    def short_name(self) -> str:
        """The name before the colon ("Medusa" in "Medusa: Simple LLM ..."), else the title."""
        head, sep, _ = self.title.partition(":")
        return head.strip() if sep and len(head) <= 40 else self.title

    @property
    def abs_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    @property
    def pdf_url(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.arxiv}" if self.arxiv else None

    @property
    def year(self) -> int:
        return int(self.date[:4])

    def impact_in(self, lang: Language) -> str:
        return self.impact.get(lang) if self.impact else ""

    @property
    def impact_texts(self) -> str:
        """Both languages' impact lines, for indexing and similarity."""
        return f"{self.impact.zh} {self.impact.en}" if self.impact else ""

    @property
    def named_authors(self) -> tuple[str, ...]:
        """The authors without the "others" marker."""
        return tuple(a for a in self.authors if a != OTHERS)

    @property
    def authors_cut(self) -> bool:
        return bool(self.authors) and self.authors[-1] == OTHERS

    @property
    def titles(self) -> tuple[str, ...]:
        """The title, then those it was known by (the digest's, an earlier version's: its errata)."""
        old = (v for e in self.errata if e.field == "title" for v in (e.digest, e.replaced) if isinstance(v, str) and v)
        return (self.title, *old)

    def erratum(self, field: str) -> Erratum | None:
        return next((e for e in self.errata if e.field == field), None)


def field_paths() -> frozenset[str]:
    """The names a provenance record may point at: a paper's fields and its links' fields."""
    names = {f.name for f in dataclasses.fields(Paper)}
    return frozenset(names | {f"links.{f.name}" for f in dataclasses.fields(Links)})


@dataclass(config=STRICT)
class CatalogFile:
    papers: tuple[Paper, ...]
    sections: tuple[Section, ...] = ()
    organisations: tuple[Organisation, ...] = ()


@dataclass(config=STRICT)
class Topic:
    """A curated set of papers across sections ("speculative decoding"), named in both languages;
    `synonyms` are the other words readers use for it (traditional script folds by itself)."""

    id: Slug
    zh: NonEmpty
    en: NonEmpty
    synonyms: tuple[NonEmpty, ...] = ()


@dataclass(config=STRICT)
class TopicFile:
    topics: tuple[Topic, ...]


# --- keyword rules (WeChat-style automatic replies) ---------------------------------------


@dataclass(config=STRICT)
class ReplyItem:
    """One reply: exactly one of a text, a paper card, a digest, or the bundle file."""

    text: Text | None = None
    paper: Slug | None = None
    digest: Slug | None = None
    bundle: Slug | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ReplyItem:
        given = [n for n in ("text", "paper", "digest", "bundle") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("a reply needs exactly one of text, paper, digest, bundle")
        return self


@dataclass(config=STRICT)
class KeywordRule:
    id: Slug
    keywords: Annotated[tuple[NonEmpty, ...], Field(min_length=1)]
    replies: Annotated[tuple[ReplyItem, ...], Field(min_length=1)]
    match: Literal["exact", "contains", "regex"] = "exact"
    mode: Literal["all", "random"] = "all"


# --- the digest's own structure ----------------------------------------------------------


@dataclass(config=STRICT)
class Digest:
    id: Slug
    title: NonEmpty
    sections: Annotated[tuple[Slug, ...], Field(min_length=1)]
    keyword: str = ""
    closing: str = ""
    source: str = ""
    featured: tuple[Slug, ...] = ()  # paper ids shown on /start and on an empty inline query
    # The year a reader means by a month or season without one ("上半年"); else the title's year.
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


@dataclass(config=STRICT)
class DigestFile:
    digests: Annotated[tuple[Digest, ...], Field(min_length=1)]


def error_messages(exc: ValidationError, prefix: tuple[str | int, ...] = ()
                   ) -> list[tuple[tuple[str | int, ...], str]]:
    """Pydantic errors as (location path below `prefix`, readable message) pairs."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        loc = prefix + loc
        field = ".".join(str(p) for p in loc[2:] if not isinstance(p, int)) or ".".join(map(str, loc[-1:]))
        message = err["msg"]
        if err["type"] == "missing":
            message = "missing required field"
        elif err["type"] == "string_pattern_mismatch":
            message = f"malformed value {err['input']!r}"
        elif err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            message = "unknown field"
        elif err["type"] == "value_error":
            message = str(message).removeprefix("Value error, ")
            field = "" if field.isdigit() else field
        out.append((loc, f"{field}: {message}" if field else message))
    return out
