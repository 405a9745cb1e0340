"""The Library: everything the bot serves, loaded and checked together as one version.

Catalog, keyword rules, digests and the search index are built side by side and swapped in
as a unit, so a reload either replaces all of them or (on any problem) none.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.catalog import catalog as catalog_mod
from bot.catalog.catalog import Catalog
from bot.catalog.keywords import KeywordRules, find_digest, load_digests, load_keywords
from bot.catalog.schema import Digest, Paper, Topic
from bot.catalog.topics import load_topics, unknown_topics
from bot.catalog.yamlfile import DataError, Problem
from bot.conversation.understand import Gazetteer
from bot.search.engine import SearchIndex
from bot.search.index_cache import load_or_build
from bot.search.likeness import Recommender
from bot.settings import Settings


@dataclass(frozen=True)
class Library:
    catalog: Catalog
    keywords: KeywordRules
    digests: tuple[Digest, ...]
    index: SearchIndex
    topics: tuple[Topic, ...] = ()

    @cached_property
    def version(self) -> str:
        """Changes whenever any served file changes; keys the bundle and its Telegram file_id."""
        served = repr(self.digests) + repr(self.topics)
        return hashlib.sha256(self.catalog.digest_sha.encode() + served.encode()).hexdigest()[:16]

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """Organisation, section, topic and author names, compiled once per version for understanding."""
        return Gazetteer(self.catalog, self.topics, self.year, tuple(d.title for d in self.digests))

    @cached_property
    def year(self) -> int:
        """The year a month or season written without one means: the latest digest's (its `year`,
        else the year in its title), else the catalog's latest."""
        written = [d.year or next(iter(map(int, re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", d.title))), None)
                   for d in self.digests]
        years = [y for y in written if y]
        return max(years) if years else self.catalog.latest_year

    def digest(self, digest_id: str) -> Digest | None:
        return find_digest(self.digests, digest_id)

    @cached_property
    def _featured(self) -> tuple[Paper, ...]:
        # Decoded once per version: every reply's renderer asks for them.
        return tuple(p for d in self.digests for i in d.featured if (p := self.catalog.get(i)))

    @cached_property
    def recommender(self) -> Recommender:
        """/foryou's ranking over this version's index (it keeps the saves' queries it read)."""
        return Recommender(self.index)

    def featured(self, limit: int) -> list[Paper]:
        """The digests' featured papers, else the first of the catalog."""
        return list(self._featured or self.catalog.papers[:limit])[:limit]


def compile_library(settings: Settings) -> None:
    """Parse, check and index the data files into the cache for `load_library` to map. A reload
    runs this in a worker process: the serving process never holds a parsed catalog or the
    index build's peak, and keeps answering from the old version meanwhile."""
    load_library(settings)


def load_library(settings: Settings) -> Library:
    """Load and cross-check every data file; DataError with all problems of all files."""
    problems: list[Problem] = []
    catalog: Catalog | None = None
    digests: tuple[Digest, ...] = ()
    keywords = KeywordRules()
    try:
        catalog = catalog_mod.load(settings.catalog, settings.cache_dir)
    except DataError as exc:
        problems.extend(exc.problems)
    sections = [s.id for s in catalog.sections] if catalog is not None else []
    papers = list(catalog.ids) if catalog is not None else []
    try:
        digests = load_digests(settings.digests, sections, papers) if settings.digests.exists() else ()
    except DataError as exc:
        problems.extend(exc.problems)
    topics: tuple[Topic, ...] = ()
    if settings.topics.exists():
        try:
            topics = load_topics(settings.topics)
        except DataError as exc:
            problems.extend(exc.problems)
    if catalog is not None and not problems:
        problems.extend(unknown_topics(catalog.papers, topics, settings.catalog))
    if settings.keywords.exists():
        try:
            keywords = load_keywords(settings.keywords, catalog.ids if catalog is not None else (),
                                     [d.id for d in digests])
        except DataError as exc:
            problems.extend(exc.problems)
    if problems or catalog is None:
        raise DataError(problems)
    return Library(catalog, keywords, digests, load_or_build(catalog, settings.cache_dir), topics)


def check_paths(paths: list[Path], settings: Settings) -> tuple[list[Problem], list[str]]:
    """Validate the given files (kind told by content), or the configured ones; (problems, summaries)."""
    from bot.catalog import yamlfile
    from bot.catalog.keywords import validate_keywords

    if not paths:
        try:
            lib = load_library(settings)
        except DataError as exc:
            return list(exc.problems), []
        return [], [summary(lib.catalog, lib.keywords, topics=len(lib.topics))]
    problems: list[Problem] = []
    out: list[str] = []
    for path in paths:
        try:
            doc = yamlfile.read(path)
            if "papers" in doc.data:
                out.append(summary(catalog_mod.validate(doc), None, str(path)))
            elif "digests" in doc.data:
                out.append(f"{path}: {len(load_digests(path))} digest(s)")
            elif "topics" in doc.data:
                out.append(f"{path}: {len(load_topics(path))} topics")
            else:
                rules = validate_keywords(doc)
                out.append(f"{path}: {len(rules.rules)} keyword rules")
        except DataError as exc:
            problems.extend(exc.problems)
    return problems, out


def summary(catalog: Catalog, keywords: KeywordRules | None, where: str = "", topics: int | None = None) -> str:
    aliases = sum(len(p.aliases) for p in catalog)
    text = (f"{where or catalog.source}: {len(catalog)} papers, {len(catalog.sections)} sections, "
            f"{len(catalog.organisations)} organisations, {aliases} aliases")
    if topics is not None:
        text += f", {topics} topics"
    if keywords is not None:
        text += f", {len(keywords.rules)} keyword rules"
    return text + " — OK"
