"""Follows: what a reader can subscribe to, and which new papers each subscription matches.

Pure functions over the catalog and its index; the store keeps subscriptions and the delivery
log, the handlers send. A subscription is parsed with the same understanding as a question
("agent", "谷歌", "Tri Dao", "speculative decoding"), so readers use the words they already use.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.catalog.catalog import Catalog, author_key
from bot.catalog.schema import Paper, Topic
from bot.conversation.exclusions import names
from bot.conversation.understand import Gazetteer, ListFilter, read
from bot.search.engine import SearchIndex, search
from bot.store.records import Kind, Subscription
from bot.text import normalise

TOPIC_HITS = 50   # a topic matches a paper that search would list among this many for the query


@dataclass(frozen=True)
class Target:
    kind: Kind
    value: str
    label: str
    without: tuple[str, ...] = ()   # exclusion keys: papers of these are never pushed


# "/subscribe multimodal -microsoft": a minus before a word is "not" (what exclusions read).
_MINUS = re.compile(r"(?:^|(?<=\s))[-−–](?=\w)")


def target_of(text: str, index: SearchIndex, gazetteer: Gazetteer, lang: str) -> Target | None:
    """What "/subscribe <text>" follows: a section, an organisation, an author or a topic; None
    when nothing in the catalog matches it."""
    text = _MINUS.sub(" not ", text.strip()[:200]).strip()
    if not text:
        return None
    found = read(text, index, gazetteer)
    wanted = replace(found.filter, topic=found.filter.topic or found.alias_topic)   # "speculative decoding"
    named = None if found.papers and not found.alias_topic else target_of_filter(wanted, index.catalog, lang,
                                                                                 gazetteer.topics)
    if named is not None:
        return named
    if found.filter.without:   # "agent benchmarks but not google": the words left, without what they subtract
        return None
    if search(text, index).verdict == "none":
        return None
    return Target("topic", normalise(text), text)


def target_of_filter(wanted: ListFilter, catalog: Catalog, lang: str,
                     topics: Mapping[str, Topic] | None = None) -> Target | None:
    """A filter's section, organisation, author or curated topic (in that order) as something to
    follow; the 🔔 button on a list and "/subscribe" share it. A curated topic is followed by its
    id: a new paper tagged with it is pushed."""
    without = wanted.without
    if wanted.section and wanted.section in catalog.section_by_id:
        section = catalog.section_by_id[wanted.section]
        return Target("section", wanted.section, section.zh if lang == "zh" else section.en, without)
    if wanted.org and wanted.org in catalog.org_by_id:
        return Target("org", wanted.org, catalog.org_by_id[wanted.org].name("zh" if lang == "zh" else "en"), without)
    if wanted.author and wanted.author in catalog.authors:
        return Target("author", wanted.author, catalog.authors[wanted.author], without)
    if wanted.topic and topics and wanted.topic in topics:
        topic = topics[wanted.topic]
        return Target("topic", topic.id, topic.zh if lang == "zh" else topic.en, without)
    return None


def matches(sub: Subscription, paper: Paper, topic_hits: Mapping[str, set[str]]) -> bool:
    """Whether a new paper is one a subscription follows: a topic matches a paper tagged with it
    (a curated topic's id) or one its words find (a topic the vocabulary lacks); never a paper
    the follow's exclusions subtract."""
    if any(names(key, paper) for key in sub.without):
        return False
    if sub.kind == "section":
        return paper.section == sub.value
    if sub.kind == "org":
        return sub.value in paper.orgs
    if sub.kind == "author":
        return any(author_key(a) == sub.value for a in paper.named_authors)
    return sub.value in paper.topics or paper.id in topic_hits.get(sub.value, set())


def new_papers(old: Catalog, new: Catalog) -> list[Paper]:
    """Papers the new catalog has and the old one did not (by id), in catalog order."""
    known = set(old.ids)
    return [new.papers[i] for i, pid in enumerate(new.ids) if pid not in known]


def matched(subs: Iterable[Subscription], papers: Sequence[Paper], index: SearchIndex,
            curated: Collection[str] = ()) -> list[tuple[Subscription, Paper]]:
    """Every (follow, new paper) that follow matches, papers in order.
    `curated` are the topic ids of data/topics.yaml: those match by tag only, never by search."""
    subs = list(subs)
    ids = {p.id for p in papers}
    topic_hits = {s.value: {h.paper.id for h in search(s.value, index, limit=TOPIC_HITS).hits} & ids
                  for s in subs if s.kind == "topic" and s.value not in curated}
    return [(sub, paper) for paper in papers for sub in subs if matches(sub, paper, topic_hits)]


def deliveries(subs: Iterable[Subscription], papers: Sequence[Paper], index: SearchIndex,
               curated: Collection[str] = ()) -> list[tuple[int, str]]:
    """(chat, paper) for every new paper some instant follow of that chat matches, once each."""
    instant = [s for s in subs if s.cadence == "instant"]
    return list(dict.fromkeys((s.chat_id, p.id) for s, p in matched(instant, papers, index, curated)))


def collected(subs: Iterable[Subscription], papers: Sequence[Paper], index: SearchIndex,
              curated: Collection[str] = ()) -> list[tuple[tuple[int, str, str], str]]:
    """(follow, paper) for every new paper a daily or weekly follow keeps for its next roundup."""
    periodic = [s for s in subs if s.cadence != "instant"]
    return [(s.follow, p.id) for s, p in matched(periodic, papers, index, curated)]


@dataclass
class Patience:
    """How long a replica waits for a paper it does not know yet. A push is logged by the
    replica that reloaded first; another replica's push run may claim it before its own reload
    (the catalog is shared; each replica checks it on its own clock). It gives the push back for
    `grace` seconds from its first sight of the paper, and drops it after that only (the paper
    left the catalog)."""

    grace: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _first: dict[str, float] = field(default_factory=dict)

    def given_up(self, paper_id: str) -> bool:
        now = self.clock()
        if len(self._first) > 10_000:  # bounded: forget the oldest sightings
            self._first = dict(sorted(self._first.items(), key=lambda kv: kv[1])[-5_000:])
        return now - self._first.setdefault(paper_id, now) > self.grace


@dataclass
class Pacer:
    """At most `rate` sends per second: waits until the next send is allowed."""

    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _next: float = field(default=0.0)

    async def wait(self) -> None:
        now = self.clock()
        if self._next > now:
            await self.sleep(self._next - now)
            now = self.clock()
        self._next = max(now, self._next) + 1.0 / self.rate
