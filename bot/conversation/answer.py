"""From a message to an Answer: keyword rules first (the operator's layer), then understanding.

`answer_text` is the one path for every plain message; `answer` turns an understood Request into
an Answer; `next_context` says what the chat remembers afterwards. No I/O and no HTML here.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from bot.catalog.catalog import Catalog
from bot.catalog.keywords import KeywordRules
from bot.catalog.schema import KeywordRule, Paper
from bot.conversation import asked, facts, list_answers
from bot.conversation.absent import Absent, absent
from bot.conversation.asked import SeveralAnswer
from bot.conversation.facts import FactAnswer, SeveralFacts
from bot.conversation.foryou import ForYouAnswer, asks_for_you
from bot.conversation.list_answers import DigestAnswer, OthersAnswer, RankedAnswer, RankingAnswer, SuperlativeAnswer
from bot.conversation.standing import CitedAnswer, VenueAnswer, standing_answer
from bot.conversation.understand import ChatContext, Gazetteer, ListFilter, Request, read, understand
from bot.search.engine import SearchIndex, SearchResult, search
from bot.search.likeness import similarity

if TYPE_CHECKING:
    from bot.conversation.library import Library

Focus = Literal["card", "who", "when", "what", "impact", "links", "code", "venue", "cited", "bibtex", "abstract"]
ChatKind = Literal["greeting", "help", "thanks", "goodbye", "which_paper", "not_understood"]
SIMILAR = 5


@dataclass(frozen=True)
class PaperAnswer:
    paper: Paper
    focus: Focus = "card"


@dataclass(frozen=True)
class CheckAnswer:
    """A yes/no question: does `claim` (an organisation, section or time) hold for the paper?"""

    paper: Paper
    claim: ListFilter
    holds: bool


@dataclass(frozen=True)
class CompareAnswer:
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class SimilarAnswer:
    paper: Paper
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class ListAnswer:
    filter: ListFilter
    page: int = 0


@dataclass(frozen=True)
class CountAnswer:
    filter: ListFilter = field(default_factory=ListFilter)
    count: int = 0


@dataclass(frozen=True)
class ChoiceAnswer:
    """Did-you-mean (ambiguous) or not-found-with-suggestions."""

    query: str
    papers: tuple[Paper, ...]
    found: bool


@dataclass(frozen=True)
class NotFound:
    query: str


@dataclass(frozen=True)
class KeywordAnswer:
    rule: KeywordRule


@dataclass(frozen=True)
class BundleAnswer:
    """The bundle asked for in other words, where no keyword rule sends it."""

    digest: str


@dataclass(frozen=True)
class ChatAnswer:
    """Small talk and guidance: greetings, help, thanks, goodbyes, "which paper?", "say again"."""

    kind: ChatKind


@dataclass(frozen=True)
class FallbackAnswer:
    """Nothing about papers in a private chat: the keyword file's fallback reply."""


Answer = (PaperAnswer | CheckAnswer | CompareAnswer | SimilarAnswer | ListAnswer | CountAnswer | ChoiceAnswer
          | NotFound | KeywordAnswer | BundleAnswer | ChatAnswer | FallbackAnswer
          | SuperlativeAnswer | RankingAnswer | OthersAnswer | RankedAnswer | DigestAnswer | CitedAnswer | VenueAnswer
          | SeveralAnswer | ForYouAnswer | FactAnswer | SeveralFacts | Absent)


def from_search(result: SearchResult, focus: Focus = "card") -> Answer:
    if result.verdict == "answer" and result.hits:
        return PaperAnswer(result.hits[0].paper, focus)
    if result.verdict == "ambiguous":
        return ChoiceAnswer(result.query, tuple(h.paper for h in result.hits[:3]), True)
    return NotFound(result.query)


def answer_query(query: str, index: SearchIndex, focus: Focus = "card", gazetteer: Gazetteer | None = None) -> Answer:
    """`/paper QUERY`: the card, did-you-mean, or not found; with the gazetteer, also "not in this
    catalog" for a versioned name it lacks (`/paper gpt-4` is not GPTQ)."""
    if gazetteer is not None and (missing := absent(query, read(query, index, gazetteer), index, frames=False)) is not None:
        return missing
    return from_search(search(query, index, limit=3), focus)


def answer_text(text: str, library: Library, context: ChatContext | None = None, *, private: bool,
                addressed: bool = True) -> Answer | None:
    """A plain message: a keyword rule, or what understanding makes of it. None means silence.

    Unaddressed group chatter fires only exact keyword rules (the WeChat-style "LLM论文"), never
    a "contains" rule or a thank-you; anything addressed to the bot gets an answer.
    """
    rule = library.keywords.match(text, exact_only=not addressed)
    if rule is not None:
        return KeywordAnswer(rule)
    if not addressed:
        return None
    if asks_for_you(text):   # "推荐几篇", "recommend me something": the handler reads the saves
        return ForYouAnswer()
    found = answer(understand(text, library.index, library.gazetteer, context or ChatContext()), library)
    if found is not None:
        return found
    return FallbackAnswer() if private else ChatAnswer("not_understood")


def answer(request: Request, library: Library) -> Answer | None:
    """The Answer to an understood Request; None when nothing in it is about the catalog."""
    catalog = library.catalog
    intent, papers = request.intent, request.papers
    if request.pronoun_without_context:
        return ChatAnswer("which_paper")
    if intent == "bundle":
        return bundle_answer(library.keywords, library.digests[0].id if library.digests else "")
    # The thing asked for (conversation/asked.py): one line per paper named, an entry, an abstract.
    several = asked.several(papers, intent)
    if several is not None:
        return several
    if intent in ("bibtex", "abstract") and papers:
        return PaperAnswer(papers[0], intent)
    standing = standing_answer(request, catalog)   # citations and venues (standing.py)
    if isinstance(standing, tuple):
        return PaperAnswer(*standing)
    if standing is not None:
        return standing
    if intent == "absent" and request.missing is not None:
        return request.missing
    if intent == "compare" and len(papers) >= 2:
        return CompareAnswer(papers)
    if intent == "fact" and papers and request.fact is not None:
        return facts.facts_answer(papers, request.text, request.fact)
    if intent in ("list", "page"):
        return ListAnswer(request.filter, request.page)
    if intent in ("digest", "earliest", "latest", "most", "others", "ranked"):
        return reasoned_answer(request, library)
    if intent == "count":
        return CountAnswer(request.filter, len(request.filter.papers(catalog)))
    if intent in ("greeting", "help", "thanks", "goodbye"):
        return ChatAnswer(intent)
    if papers:
        paper = papers[0]
        if intent == "check":
            return CheckAnswer(paper, request.filter, holds(paper, request.filter, catalog))
        if intent == "similar":
            return SimilarAnswer(paper, similar(paper, library.index))
        focus = intent if intent in ("who", "when", "impact", "links", "code") else "card"
        return PaperAnswer(paper, focus)
    if request.suggestions:
        return ChoiceAnswer(request.text, request.suggestions, True)
    if request.unmatched:
        return NotFound(request.unmatched)
    return None


def reasoned_answer(request: Request, library: Library) -> Answer | None:
    """The answers that reason over a list (bot/conversation/list_answers.py)."""
    catalog, intent = library.catalog, request.intent
    if intent == "digest":
        return DigestAnswer(library.digests[-1] if library.digests else None)
    if intent in ("earliest", "latest"):
        return list_answers.superlative(request.filter, "earliest" if intent == "earliest" else "latest", catalog)
    if intent == "most" and request.ranking is not None:
        return list_answers.ranking(request.filter, *request.ranking, catalog)
    if intent == "others" and request.papers:
        return list_answers.others(request.papers[0], catalog)
    if intent == "ranked":
        found = list_answers.ranked(request.query, library.index)
        return found if found.papers else NotFound(request.query)
    return None


def bundle_answer(keywords: KeywordRules, digest: str) -> Answer:
    """The keyword rule that sends the bundle (with the operator's words), else the bundle alone."""
    rule = next((r for r in keywords.rules if any(item.bundle for item in r.replies)), None)
    return KeywordAnswer(rule) if rule is not None else BundleAnswer(digest)


def holds(paper: Paper, claim: ListFilter, catalog: Catalog) -> bool:
    """Whether the paper is among those the claim lists: one definition of a filter matching."""
    try:
        at = catalog.position(paper.id)
    except KeyError:
        return False
    return at in claim.papers(catalog).positions


def similar(paper: Paper, index: SearchIndex, limit: int = SIMILAR) -> tuple[Paper, ...]:
    """The papers nearest by text: BM25 with the paper's own title, summary and impact as the query."""
    scores = similarity(paper, index)
    # The paper itself goes by its id: a catalog opened from the cache decodes a new object on every read.
    with contextlib.suppress(KeyError):
        scores[index.catalog.position(paper.id)] = -np.inf
    k = min(limit, len(scores) - 1)
    if k <= 0:
        return ()
    top = np.argpartition(-scores, k - 1)[:k]
    ranked = sorted((i for i in top if scores[i] > 0), key=lambda i: -scores[i])
    return tuple(index.catalog.papers[int(i)] for i in ranked)


def next_context(context: ChatContext, answer: Answer | None, catalog: Catalog) -> ChatContext:
    """What the chat remembers after an answer: the papers shown, the list filter, the question."""
    if isinstance(answer, PaperAnswer):
        return replace(context, papers=(answer.paper.id,), intent=answer.focus)
    if isinstance(answer, FactAnswer):
        return replace(context, papers=(answer.paper.id,), intent="card")
    if isinstance(answer, CheckAnswer):
        return replace(context, papers=(answer.paper.id,), intent="check")
    if isinstance(answer, CompareAnswer):
        return replace(context, papers=tuple(p.id for p in answer.papers), intent="compare")
    if isinstance(answer, SeveralAnswer):   # "第二篇" points into the papers named, "它" at the first
        ids = tuple(p.id for p in answer.papers)
        return ChatContext(ids[:1], None, answer.focus, listed=ids)
    if isinstance(answer, SeveralFacts):
        ids = tuple(p.id for p in answer.papers)
        return ChatContext(ids[:1], None, "card", listed=ids)
    if isinstance(answer, ListAnswer | CountAnswer):
        # A list of one paper is that paper: "苹果的论文" then "什么时候发布的".
        listed = answer.filter.papers(catalog)
        only = (listed[0].id,) if len(listed) == 1 else ()
        return ChatContext(only, answer.filter, "list", answer.page if isinstance(answer, ListAnswer) else 0)
    if isinstance(answer, SimilarAnswer):   # "第二篇" points into the similar papers shown
        return ChatContext((answer.paper.id,), None, "similar", listed=tuple(p.id for p in answer.papers))
    if isinstance(answer, SuperlativeAnswer | OthersAnswer | RankedAnswer):
        # A short list: "第二篇" points into it; a list of one is that paper ("什么时候发的").
        only = (answer.papers[0].id,) if len(answer.papers) == 1 else ()
        return ChatContext(only, answer.filter if isinstance(answer, SuperlativeAnswer) else None, "list",
                           listed=tuple(p.id for p in answer.papers))
    return context


def describe(answer: Answer | None) -> tuple[str, str | None, bool]:
    """(kind, paper id, hit) of an answer, for the record."""
    if isinstance(answer, PaperAnswer | CheckAnswer | SimilarAnswer):
        return "paper", answer.paper.id, True
    if isinstance(answer, CompareAnswer | SeveralAnswer):
        return "compare" if isinstance(answer, CompareAnswer) else "several", answer.papers[0].id, True
    if isinstance(answer, FactAnswer):
        return "fact", answer.paper.id, bool(answer.quotes)
    if isinstance(answer, SeveralFacts):
        return "fact", answer.papers[0].id, any(a.quotes for a in answer.answers)
    if isinstance(answer, Absent):
        return "absent", None, False
    if isinstance(answer, BundleAnswer):
        return "bundle", None, True
    if isinstance(answer, ChatAnswer):
        return "chat", None, answer.kind not in ("not_understood", "which_paper")
    if isinstance(answer, ListAnswer):
        return "list", None, True
    if isinstance(answer, ChoiceAnswer):
        return "choice", answer.papers[0].id if answer.papers else None, answer.found
    if isinstance(answer, KeywordAnswer):
        return "keyword", answer.rule.id, True
    if isinstance(answer, CountAnswer):
        return "count", None, True
    if isinstance(answer, SuperlativeAnswer | OthersAnswer | RankedAnswer):
        return "list", answer.papers[0].id if answer.papers else None, bool(answer.papers)
    if isinstance(answer, RankingAnswer | DigestAnswer):
        return "list", None, True
    if isinstance(answer, NotFound | FallbackAnswer) or answer is None:
        return "not_found", None, False
    return type(answer).__name__, None, True
