"""Keyword rules (WeChat-style automatic replies) and the digests file: loading and matching.

Rules match the normalised message (case, width, Traditional/Simplified folded) whole
(`exact`, 全匹配), as a substring (`contains`, 半匹配) or by a regular expression.
They are compiled once per load; matching is a dict lookup plus a short scan.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bot.catalog import yamlfile
from bot.catalog.schema import Digest, DigestFile, KeywordRule, ReplyItem, error_messages
from bot.catalog.yamlfile import DataError, Document, Problem
from bot.text import normalise, simplify

_PARTS: dict[str, TypeAdapter[Any]] = {
    "rules": TypeAdapter(KeywordRule), "welcome": TypeAdapter(ReplyItem), "fallback": TypeAdapter(ReplyItem)}
_DIGESTS = TypeAdapter(DigestFile)


@dataclass(frozen=True)
class KeywordRules:
    rules: tuple[KeywordRule, ...] = ()
    welcome: tuple[ReplyItem, ...] = ()
    fallback: tuple[ReplyItem, ...] = ()
    _exact: dict[str, KeywordRule] = field(default_factory=dict, repr=False, compare=False)
    _contains: list[tuple[str, KeywordRule]] = field(default_factory=list, repr=False, compare=False)
    _regex: list[tuple[re.Pattern[str], KeywordRule]] = field(default_factory=list, repr=False,
                                                               compare=False)

    def __post_init__(self) -> None:
        for rule in self.rules:
            for keyword in rule.keywords:
                if rule.match == "exact":
                    self._exact.setdefault(normalise(keyword), rule)
                elif rule.match == "contains":
                    self._contains.append((normalise(keyword), rule))
                else:
                    self._regex.append((re.compile(keyword, re.IGNORECASE), rule))

    def match(self, text: str, *, exact_only: bool = False) -> KeywordRule | None:
        """The first rule that fires for a message: exact rules first, then contains, then regex.

        `exact_only` is for chatter not addressed to the bot: only a whole-message keyword fires."""
        normal = normalise(text)
        if not normal:
            return None
        if normal in self._exact:
            return self._exact[normal]
        if exact_only:
            return None
        for keyword, rule in self._contains:
            if keyword in normal:
                return rule
        plain = simplify(text).strip()
        for pattern, rule in self._regex:
            if pattern.search(plain):
                return rule
        return None


def pick(rule: KeywordRule, rng: random.Random) -> tuple[ReplyItem, ...]:
    """The replies to send for a rule: all of them, or one at random (WeChat's 随机回复一条)."""
    return rule.replies if rule.mode == "all" else (rng.choice(rule.replies),)


def validate_keywords(doc: Document, paper_ids: Iterable[str] = (), digest_ids: Iterable[str] = ()
                      ) -> KeywordRules:
    problems: list[Problem] = []
    parts: dict[str, list[tuple[int, Any]]] = {}
    for key, adapter in _PARTS.items():
        value = doc.data.get(key, [])
        if not isinstance(value, list):
            problems.append(doc.problem((key,), f"{key}: expected a list, found {type(value).__name__}"))
            value = []
        parts[key] = []
        for i, entry in enumerate(value):
            try:
                parts[key].append((i, adapter.validate_python(entry)))
            except ValidationError as exc:
                problems.extend(doc.problem(loc, msg) for loc, msg in error_messages(exc, prefix=(key, i)))
    for extra in sorted(set(doc.data) - set(_PARTS), key=str):
        problems.append(doc.problem((extra,), f"{extra}: unknown field"))
    papers, digests = set(paper_ids), set(digest_ids)
    seen: dict[str, int] = {}
    for i, rule in parts["rules"]:
        if rule.id in seen:
            problems.append(doc.problem(("rules", i), f"duplicate rule id {rule.id!r} "
                                        f"(first at line {doc.line(('rules', seen[rule.id]))})"))
        seen.setdefault(rule.id, i)
        for j, keyword in enumerate(rule.keywords):
            if rule.match == "regex":
                try:
                    re.compile(keyword)
                except re.error as exc:
                    problems.append(doc.problem(("rules", i, "keywords", j),
                                                f"rule {rule.id!r}: invalid regex {keyword!r}: {exc}"))
            elif not normalise(keyword):
                problems.append(doc.problem(("rules", i, "keywords", j),
                                            f"rule {rule.id!r}: keyword {keyword!r} is empty once normalised"))
        for j, reply in enumerate(rule.replies):
            problems.extend(_reference_problems(doc, ("rules", i, "replies", j), reply, papers, digests))
    for part in ("welcome", "fallback"):
        for j, reply in parts[part]:
            problems.extend(_reference_problems(doc, (part, j), reply, papers, digests))
    if problems:
        raise DataError(problems)
    rules, welcome, fallback = (tuple(value for _, value in parts[key]) for key in _PARTS)
    return KeywordRules(rules, welcome, fallback)


def _reference_problems(doc: Document, path: tuple[str | int, ...], reply: ReplyItem,
                        papers: set[str], digests: set[str]) -> Iterable[Problem]:
    if reply.paper and papers and reply.paper not in papers:
        yield doc.problem((*path, "paper"), f"unknown paper {reply.paper!r}")
    for name in ("digest", "bundle"):
        value = getattr(reply, name)
        if value and digests and value not in digests:
            yield doc.problem((*path, name), f"unknown digest {value!r}")


def load_keywords(path: Path, paper_ids: Iterable[str] = (), digest_ids: Iterable[str] = ()) -> KeywordRules:
    return validate_keywords(yamlfile.read(path), paper_ids, digest_ids)


def find_digest(digests: Iterable[Digest], digest_id: str) -> Digest | None:
    return next((d for d in digests if d.id == digest_id), None)


def load_digests(path: Path, section_ids: Iterable[str] = (), paper_ids: Iterable[str] = ()) -> tuple[Digest, ...]:
    doc = yamlfile.read(path)
    try:
        parsed = _DIGESTS.validate_python(doc.data)
    except ValidationError as exc:
        raise DataError([doc.problem(loc, msg) for loc, msg in error_messages(exc)]) from None
    sections, papers = set(section_ids), set(paper_ids)
    problems = [doc.problem(("digests", i, "sections", j), f"unknown section {s!r}")
                for i, d in enumerate(parsed.digests) for j, s in enumerate(d.sections)
                if sections and s not in sections]
    problems += [doc.problem(("digests", i, "featured", j), f"unknown paper {p!r}")
                 for i, d in enumerate(parsed.digests) for j, p in enumerate(d.featured)
                 if papers and p not in papers]
    if problems:
        raise DataError(problems)
    return parsed.digests
