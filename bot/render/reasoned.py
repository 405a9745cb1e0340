"""Replies for the answers that reason over a list: the earliest or latest paper, a ranking,
an author's other papers, papers ranked for a topic, and what the digest is."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.list_answers import DigestAnswer, OthersAnswer, RankedAnswer, RankingAnswer, SuperlativeAnswer
from bot.render.cards import Cards
from bot.render.html import clip, clip_html, esc
from bot.render.kit import Kit
from bot.render.lists import QUERY_ECHO, Lists
from bot.render.locale import t
from bot.render.reply import Reply

TIED_SHOWN = 8     # a tie lists this many papers


@dataclass(frozen=True)
class Reasoned:
    kit: Kit
    cards: Cards
    lists: Lists

    def superlative(self, answer: SuperlativeAnswer) -> Reply:
        lang = self.kit.lang
        title = esc(self.lists.filter_title(answer.filter))
        if not answer.papers:
            return Reply(t("list_empty", lang, filter=title))
        key = f"{answer.order}_one" if len(answer.papers) == 1 else f"{answer.order}_tied"
        line = t(key, lang, title=title, of=answer.of, date=answer.papers[0].date, count=answer.tied,
                 name=self.kit.name(answer.papers[0]))
        if len(answer.papers) == 1:
            return self.cards.card(answer.papers[0], focus_line=line)
        shown = answer.papers[:TIED_SHOWN]
        lines = [line, *(self.kit.paper_line(n, p) for n, p in enumerate(shown, 1))]
        return Reply(clip_html("\n".join(lines)), self.kit.picks(shown))

    def ranking(self, answer: RankingAnswer) -> Reply:
        lang = self.kit.lang
        title = esc(self.lists.filter_title(answer.filter))
        if not answer.rows:
            return Reply(t("list_empty", lang, filter=title))
        top = answer.rows[0][1]
        leaders = [self._label(answer.dimension, k) for k, n in answer.rows if n == top]
        sep = "、" if lang == "zh" else ", "
        key = "fewest_line" if answer.fewest else "most_line"
        lines = [t(key, lang, what=t(f"dim_{answer.dimension}", lang), names=esc(sep.join(leaders)), count=top,
                   title=title, s="" if top == 1 else "s"), ""]
        lines += [f"{n}. {esc(self._label(answer.dimension, k))} — {t('papers_n', lang, count=c, s='' if c == 1 else 's')}"
                  for n, (k, c) in enumerate(answer.rows, 1)]
        return Reply(clip_html("\n".join(lines)))

    def _label(self, dimension: str, key: str) -> str:
        kind = {"org": "o", "section": "s", "author": "a", "topic": "g"}.get(dimension)
        return self.kit.named(kind, key) if kind else key   # a month or a year names itself

    def others(self, answer: OthersAnswer) -> Reply:
        lang = self.kit.lang
        name = self.kit.name(answer.paper)
        if not answer.papers:
            return Reply(t("others_none", lang, name=name))
        authors = esc(("、" if lang == "zh" else ", ").join(answer.authors[:3]))
        heading = t("others_title", lang, name=name, authors=authors, count=len(answer.papers))
        return self.lists.paper_list(heading, answer.papers)

    def ranked(self, answer: RankedAnswer) -> Reply:
        heading = t("ranked_title", self.kit.lang, query=esc(clip(answer.query, QUERY_ECHO)), count=len(answer.papers))
        return self.lists.paper_list(heading, answer.papers)

    def digest(self, answer: DigestAnswer) -> Reply:
        """Title and source, how many papers in which sections, the months they span, the keyword."""
        lang, catalog = self.kit.lang, self.kit.catalog
        digest = answer.digest
        title = esc(digest.title) if digest else "paperbot"
        lines = [t("digest_what", lang, title=title, count=len(catalog), sections=len(catalog.sections))]
        if digest and digest.source:
            lines.append(t("digest_source", lang, source=esc(digest.source)))
        lines.append("")
        for n, section in enumerate(catalog.sections, 1):
            count = len(catalog.in_section(section.id))
            name = esc(section.zh if lang == "zh" else section.en)
            lines.append(f"{n}. {name} — {t('papers_n', lang, count=count, s='' if count == 1 else 's')}")
        months = catalog.months
        if months:
            # The first paper of the first month and the last of the last, as the date order has
            # them, without ordering every paper (tens of milliseconds at 100,000).
            earliest = catalog.papers[int(catalog.groups.array(f"m:{months[0]}")[0])]
            latest = catalog.papers[int(catalog.groups.array(f"m:{months[-1]}")[-1])]
            years = sorted({m[:4] for m in months})
            lines += ["", t("digest_span", lang, first=months[0], last=months[-1], years="、".join(years) if lang == "zh"
                            else ", ".join(years), earliest=self.kit.name(earliest), latest=self.kit.name(latest))]
        if digest and digest.keyword:
            lines.append(t("digest_closing", lang, keyword=esc(digest.keyword)))
        return Reply(clip_html("\n".join(lines)))
