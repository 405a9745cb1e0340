"""Facts quoted from a paper and names the catalog does not hold.

A fact is one line quoting the paper's own sentence, the figure in bold, with where it comes from
(abstract, summary, impact line; the other language's when the reader's has no answer), then the
paper's card. A name the catalog lacks is said to be absent, with the papers that mention it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.absent import Absent
from bot.conversation.facts import FactAnswer, SeveralFacts
from bot.render.cards import Cards
from bot.render.html import clip, esc, split_html
from bot.render.kit import Kit
from bot.render.locale import t
from bot.render.reply import Reply
from bot.search.sentences import Quote

NAME_ECHO = 60  # a name echoed back is cut here


def marked(quote: Quote) -> str:
    """The quote escaped, its figures in bold."""
    parts, at = [], 0
    for start, end in quote.marks:
        parts += [esc(quote.text[at:start]), f"<b>{esc(quote.text[start:end])}</b>"]
        at = end
    return "".join(parts) + esc(quote.text[at:])


@dataclass(frozen=True)
class Facts:
    kit: Kit
    cards: Cards

    def fact(self, answer: FactAnswer) -> Reply:
        if answer.kind == "source" and not answer.quotes:
            return self.cards.card(answer.paper)  # found by what it released, no sentence says so: the card
        return self.cards.card(answer.paper, focus_line=self.line(answer))

    def several(self, answer: SeveralFacts) -> list[Reply]:
        """One line per paper, in the order named; the buttons open their cards."""
        lines = [self.line(a) for a in answer.answers]
        picks = self.kit.picks(answer.papers)
        return [Reply(part, picks) for part in split_html("\n\n".join(lines))]

    def line(self, answer: FactAnswer) -> str:
        lang, name = self.kit.lang, self.kit.name(answer.paper)
        quote = answer.quote(lang)
        if quote is None:
            return t("fact_unsaid", lang, name=name)
        source = t(f"source_{quote.field}_{quote.lang}", lang)
        return t("fact_quote", lang, name=name, source=source, quote=marked(quote))

    def absent(self, answer: Absent) -> Reply:
        lang = self.kit.lang
        lines = [t("absent", lang, name=esc(clip(answer.name, NAME_ECHO)))]
        lines.append(t("absent_related", lang) if answer.related else t("absent_browse", lang, count=len(self.kit.catalog)))
        return Reply("\n".join(lines), self.kit.picks(answer.related, width=40, per_row=1))
