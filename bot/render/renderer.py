"""Answers -> Replies. The Renderer is what a handler holds for one reader: one small renderer
per concern (cards, lists, comparisons, the bot's own words) over one shared Kit, and
`answer()`, which sends each kind of Answer to the renderer that owns it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.catalog.catalog import Catalog
from bot.catalog.keywords import KeywordRules, pick
from bot.catalog.schema import Digest, Paper, ReplyItem, Topic
from bot.conversation.absent import Absent
from bot.conversation.answer import (
    Answer,
    BundleAnswer,
    ChatAnswer,
    CheckAnswer,
    ChoiceAnswer,
    CompareAnswer,
    CountAnswer,
    FallbackAnswer,
    KeywordAnswer,
    ListAnswer,
    NotFound,
    PaperAnswer,
    SimilarAnswer,
)
from bot.conversation.asked import SeveralAnswer
from bot.conversation.facts import FactAnswer, SeveralFacts
from bot.conversation.list_answers import DigestAnswer, OthersAnswer, RankedAnswer, RankingAnswer, SuperlativeAnswer
from bot.conversation.standing import CitedAnswer, VenueAnswer
from bot.conversation.understand import ListFilter
from bot.render.asked import Asked
from bot.render.cards import Cards
from bot.render.chat import ChatReplies
from bot.render.compare import Comparisons
from bot.render.facts import Facts
from bot.render.html import clip, esc
from bot.render.kit import Kit
from bot.render.lists import QUERY_ECHO, Lists
from bot.render.locale import Lang, t
from bot.render.reasoned import Reasoned
from bot.render.reply import Reply
from bot.render.roundups import Roundups
from bot.render.standing import Standings


@dataclass
class Renderer:
    catalog: Catalog
    lang: Lang
    digests: tuple[Digest, ...] = ()
    rng: random.Random = field(default_factory=random.Random)
    keywords: KeywordRules = field(default_factory=KeywordRules)
    featured: tuple[Paper, ...] = ()   # offered as buttons under the welcome
    topics: tuple[Topic, ...] = ()
    kit: Kit = field(init=False)
    cards: Cards = field(init=False)
    lists: Lists = field(init=False)
    comparisons: Comparisons = field(init=False)
    chat: ChatReplies = field(init=False)
    reasoned: Reasoned = field(init=False)
    standings: Standings = field(init=False)
    asked: Asked = field(init=False)
    roundups: Roundups = field(init=False)
    facts: Facts = field(init=False)

    def __post_init__(self) -> None:
        self.kit = Kit(self.catalog, self.lang, {t.id: t for t in self.topics})
        self.cards = Cards(self.kit)
        self.lists = Lists(self.kit)
        self.comparisons = Comparisons(self.kit)
        self.reasoned = Reasoned(self.kit, self.cards, self.lists)
        self.standings = Standings(self.kit, self.lists)
        self.asked = Asked(self.kit)
        self.roundups = Roundups(self.kit)
        self.facts = Facts(self.kit, self.cards)
        self.chat = ChatReplies(self.kit, self.cards, self.lists, self.digests, self.keywords, self.featured, self.rng)

    def answer(self, answer: Answer) -> list[Reply]:
        if isinstance(answer, PaperAnswer):
            if answer.focus == "bibtex":
                return [self.asked.bibtex(answer.paper)]
            if answer.focus == "abstract":
                return [self.asked.abstract(answer.paper)]
            if answer.focus in ("venue", "cited"):
                return [self.cards.card(answer.paper, focus_line=self.standings.focus_line(answer.paper, answer.focus))]
            return [self.cards.card(answer.paper, answer.focus)]
        if isinstance(answer, SeveralAnswer):
            return self.asked.several(answer)
        if isinstance(answer, FactAnswer):
            return [self.facts.fact(answer)]
        if isinstance(answer, SeveralFacts):
            return self.facts.several(answer)
        if isinstance(answer, Absent):
            return [self.facts.absent(answer)]
        if isinstance(answer, CitedAnswer):
            return [self.standings.ranked(answer)]
        if isinstance(answer, VenueAnswer):
            return [self.standings.venue(answer)]
        if isinstance(answer, ListAnswer):
            return [self.lists.list_page(answer.filter, answer.page)]
        if isinstance(answer, ChoiceAnswer):
            return [self.lists.choice(answer)]
        if isinstance(answer, NotFound):
            return [Reply(t("not_found", self.lang, query=esc(clip(answer.query, QUERY_ECHO)), count=len(self.catalog)))]
        if isinstance(answer, CountAnswer):
            return [self.lists.count(answer)]
        if isinstance(answer, KeywordAnswer):
            return [r for item in pick(answer.rule, self.rng) for r in self.chat.reply_item(item)]
        if isinstance(answer, CheckAnswer):
            return [self.cards.card(answer.paper, focus_line=self.cards.check_line(answer))]
        if isinstance(answer, CompareAnswer):
            return [self.comparisons.compare(answer.papers)]
        if isinstance(answer, SimilarAnswer):
            heading = t("similar_title", self.lang, name=self.kit.name(answer.paper))
            return [self.lists.paper_list(heading, answer.papers)]
        if isinstance(answer, BundleAnswer):
            if answer.digest:
                return self.chat.reply_item(ReplyItem(bundle=answer.digest))
            return [self.lists.list_page(ListFilter(), 0)]
        if isinstance(answer, ChatAnswer):
            return [self.chat.chat(answer.kind)]
        if isinstance(answer, SuperlativeAnswer):
            return [self.reasoned.superlative(answer)]
        if isinstance(answer, RankingAnswer):
            return [self.reasoned.ranking(answer)]
        if isinstance(answer, OthersAnswer):
            return [self.reasoned.others(answer)]
        if isinstance(answer, RankedAnswer):
            return [self.reasoned.ranked(answer)]
        if isinstance(answer, DigestAnswer):
            return [self.reasoned.digest(answer)]
        if isinstance(answer, FallbackAnswer):
            fallback = [r for item in self.keywords.fallback for r in self.chat.reply_item(item)]
            return fallback or [Reply(t("off_topic", self.lang, count=len(self.catalog)))]
        raise TypeError(f"unknown answer {answer!r}")
