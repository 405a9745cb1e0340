"""Topics (data/topics.yaml): curated sets of papers across sections, each named in Chinese and
English with the synonyms readers use. Papers carry the ids in their `topics:` list; both files
are checked together, every problem as FILE:LINE.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from bot.catalog import yamlfile
from bot.catalog.schema import Paper, Topic, TopicFile, error_messages
from bot.catalog.yamlfile import DataError, Problem
from bot.text import normalise

_TOPICS = TypeAdapter(TopicFile)


def topic_names(topic: Topic) -> tuple[str, ...]:
    """Every name of a topic (its id written with spaces too), in the file's order."""
    return (topic.zh, topic.en, topic.id.replace("-", " "), *topic.synonyms)


def load_topics(path: Path) -> tuple[Topic, ...]:
    """The topics of a file; DataError with every problem (shape, duplicate ids, a name two
    topics share) located by line."""
    doc = yamlfile.read(path)
    try:
        parsed = _TOPICS.validate_python(doc.data)
    except ValidationError as exc:
        raise DataError([doc.problem(loc, msg) for loc, msg in error_messages(exc)]) from None
    problems: list[Problem] = []
    ids: dict[str, int] = {}
    owner: dict[str, tuple[int, str]] = {}
    for i, topic in enumerate(parsed.topics):
        if topic.id in ids:
            problems.append(doc.problem(("topics", i, "id"), f"duplicate topic id {topic.id!r} "
                                        f"(first at line {doc.line(('topics', ids[topic.id]))})"))
        ids.setdefault(topic.id, i)
        for name in dict.fromkeys(topic_names(topic)):
            key = normalise(name)
            if not key:
                problems.append(doc.problem(("topics", i), f"topic {topic.id!r}: name {name!r} is empty once normalised"))
                continue
            first = owner.setdefault(key, (i, topic.id))
            if first[0] != i:
                problems.append(doc.problem(("topics", i), f"topic {topic.id!r}: name {name!r} is also a name of "
                                            f"{first[1]!r} (line {doc.line(('topics', first[0]))})"))
    if problems:
        raise DataError(problems)
    return parsed.topics


def unknown_topics(papers: Iterable[Paper], topics: Sequence[Topic], catalog_path: Path) -> list[Problem]:
    """A paper tagged with a topic the topics file lacks, at its line in the catalog file (which is
    read again only then: a stored catalog keeps no line numbers)."""
    known = {t.id for t in topics}
    wrong = [(i, p.id, j, tag) for i, p in enumerate(papers) for j, tag in enumerate(p.topics) if tag not in known]
    if not wrong:
        return []
    doc = yamlfile.read(catalog_path)
    listed = ", ".join(sorted(known)) or "none defined"
    return [doc.problem(("papers", i, "topics", j), f"paper {pid!r}: unknown topic {tag!r} (known: {listed})")
            for i, pid, j, tag in wrong]
