"""How a paper stands: its citation count and venue on its card, the "where was it published" and
"how often is it cited" lines, rankings by citations and a venue's papers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog.schema import Paper
from bot.conversation.standing import RANKED_SHOWN, CitedAnswer, VenueAnswer
from bot.render.html import clip_html, esc
from bot.render.kit import Kit
from bot.render.lists import Lists
from bot.render.locale import Lang, t
from bot.render.reply import Reply


def citation_line(paper: Paper, lang: Lang) -> str:
    """ "📈 1,234 citations · Semantic Scholar, 2026-12" (the month it was counted), or ""."""
    c = paper.citations
    if c is None:
        return ""
    return t("card_citations", lang, count=f"{c.count:,}", source=esc(c.source), month=c.read[:7])


def venue_line(paper: Paper) -> str:
    return f"🏆 {esc(paper.venue.label)}" if paper.venue else ""


def card_lines(paper: Paper, lang: Lang) -> list[str]:
    return [line for line in (venue_line(paper), citation_line(paper, lang)) if line]


@dataclass(frozen=True)
class Standings:
    kit: Kit
    lists: Lists

    def focus_line(self, paper: Paper, focus: str) -> str:
        lang, name = self.kit.lang, self.kit.name(paper)
        if focus == "venue":
            if paper.venue is None:
                return t("no_venue", lang, name=name)
            return t("venue_focus", lang, name=name, venue=esc(paper.venue.label))
        if paper.citations is None:
            return t("no_citations", lang, name=name)
        return t("cited_focus", lang, name=name, line=citation_line(paper, lang),
                 influential=f"{paper.citations.influential:,}")

    def ranked(self, answer: CitedAnswer) -> Reply:
        kit, lang = self.kit, self.kit.lang
        title = (t("and", lang).join(kit.name(p) for p in answer.named) if answer.named
                 else esc(self.lists.filter_title(answer.filter)))
        if not answer.papers:
            return Reply(t("no_citations_yet", lang, title=title))
        shown = answer.papers[:RANKED_SHOWN]
        read = max(p.citations.read for p in shown if p.citations)[:7]
        lines = []
        if answer.single:
            top = shown[0]
            lines += [t("most_cited", lang, name=kit.name(top), line=citation_line(top, lang)), ""]
        lines.append(t("cited_title", lang, title=title, month=read))
        for n, p in enumerate(shown, 1):
            count = f"{p.citations.count:,}" if p.citations else "—"
            venue = f" · {esc(p.venue.label)}" if p.venue else ""
            lines.append(f"{n}. <b>{kit.name(p)}</b> · 📈 {count}{venue}")
        if answer.uncounted:
            lines.append("\n" + t("uncounted", lang, n=answer.uncounted))
        return Reply(clip_html("\n".join(lines)), kit.picks(shown))

    def venue(self, answer: VenueAnswer) -> Reply:
        kit, lang = self.kit, self.kit.lang
        label = esc(" ".join(filter(None, (answer.venue, str(answer.year) if answer.year else ""))))
        if not answer.papers:
            return Reply(t("venue_empty", lang, venue=label))
        lines = [t("venue_title", lang, venue=label, count=len(answer.papers))]
        lines += [f"{kit.paper_line(n, p)} · {esc(p.venue.label)}" if p.venue else kit.paper_line(n, p)
                  for n, p in enumerate(answer.papers, 1)]
        return Reply(clip_html("\n".join(lines)), kit.picks(answer.papers))
