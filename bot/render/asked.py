"""The thing asked for, rendered: a paper's BibTeX entry (copyable, in `<pre>`), its whole
abstract in the reader's language (split under Telegram's limit and paged with buttons, never
cut), and one line per paper when a question names several. Each ends with a way to the card."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalog.bundle import bibtex_entry
from bot.catalog.schema import Paper
from bot.conversation.asked import SeveralAnswer
from bot.render.html import MAX_TEXT, esc, split_html
from bot.render.kit import Kit
from bot.render.locale import t
from bot.render.reply import Button, Reply, encode

# A page of abstract leaves room for its title line, the page count and the line under it.
PAGE_CHARS = MAX_TEXT - 400
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s+|(?<=[。！？；])")


@dataclass(frozen=True)
class Asked:
    kit: Kit

    # --- BibTeX -----------------------------------------------------------------------

    def bibtex(self, paper: Paper) -> Reply:
        """The entry itself, then one line with the card's button."""
        entry = f"<pre>{esc(bibtex_entry(paper, self.kit.catalog))}</pre>"
        return Reply(f"{entry}\n{t('asked_bibtex_line', self.kit.lang, name=self.kit.name(paper))}", ((self.card_button(paper),),))

    def card_button(self, paper: Paper) -> Button:
        """Opens the paper's card in a new message: the entry or abstract above stays to copy."""
        return Button(t("btn_open_card", self.kit.lang), encode("pick", paper.id, lang=self.kit.lang))

    # --- the whole abstract -----------------------------------------------------------

    def abstract_pages(self, paper: Paper) -> list[str]:
        """The abstract's escaped text in pages under the limit, split between sentences."""
        lang = self.kit.lang
        parts: list[str] = []
        if lang == "zh" and paper.abstract_zh:
            parts.append(esc(paper.abstract_zh))
            if paper.abstract_en:  # the original too: "原文摘要" asks for it, and it is the paper's own words
                parts.append(f"<b>{t('asked_original', lang)}</b>\n{esc(paper.abstract_en)}")
        elif paper.abstract_en:
            if lang == "zh":
                parts.append(t("asked_only_english", lang))
            parts.append(esc(paper.abstract_en))
        else:  # no abstract at all (a paper added by hand): say so, and give what there is
            parts.append(t("asked_no_abstract", lang))
            body = paper.abstract_zh if lang == "zh" and paper.abstract_zh else paper.summary_en
            if body:
                parts.append(esc(body))
        erratum = paper.erratum("abstract_zh")
        if lang == "zh" and erratum is not None and paper.abstract_zh:
            parts.append("⚠️ " + t("wrong_abstract_note" if erratum.digest else "abstract_missing_note", lang))
        return split_pages("\n\n".join(parts), PAGE_CHARS)

    def abstract(self, paper: Paper, page: int = 0) -> Reply:
        """One page of the abstract, with Prev/Next when there are several, and the card's button."""
        pages = self.abstract_pages(paper)
        page = min(max(page, 0), len(pages) - 1)
        lang = self.kit.lang
        title = t("asked_abstract_title", lang, name=self.kit.name(paper))
        if len(pages) > 1:
            title += f" ({page + 1}/{len(pages)})"
        text = f"{title}\n\n{pages[page]}\n\n{t('asked_card_line', lang, name=self.kit.name(paper))}"
        nav = self.kit.pager("abp", paper.id, page, len(pages))
        return Reply(text, (nav, (self.card_button(paper),)) if nav else ((self.card_button(paper),),))

    # --- several papers at once -------------------------------------------------------

    def several(self, answer: SeveralAnswer) -> list[Reply]:
        """One line per paper, in the order named; entries and abstracts each in full."""
        papers = answer.papers
        if answer.focus == "abstract":
            return [self.abstract(p) for p in papers]
        picks = self.kit.picks(papers)
        if answer.focus == "bibtex":
            entries = [esc(bibtex_entry(p, self.kit.catalog)) for p in papers]
            blocks = split_html("\n\n".join(entries), MAX_TEXT - 200)
            replies = [Reply(f"<pre>{block}</pre>") for block in blocks]
            last = replies[-1]
            return [*replies[:-1], Reply(f"{last.text}\n{t('asked_several_line', self.kit.lang)}", picks)]
        lines = [f"{n}. {self.line(p, answer.focus)}" for n, p in enumerate(papers, 1)]
        return [Reply(part, picks) for part in split_html("\n".join(lines))]

    def line(self, paper: Paper, focus: str) -> str:
        """The one line that answers `focus` about a paper."""
        lang, kit, name = self.kit.lang, self.kit, self.kit.name(paper)
        if focus == "who":
            if not paper.orgs:
                return t("who_no_org", lang, name=name, date=paper.date)
            return t("who", lang, name=name, orgs=kit.orgs(paper), date=paper.date)
        if focus == "when":
            extra = t("when_arxiv", lang, date=paper.arxiv_date) if paper.arxiv_date else ""
            return t("when", lang, name=name, date=paper.date) + extra
        if focus == "impact":
            return t("impact_focus", lang, name=name, impact=esc(paper.impact_in(lang) or t("no_impact", lang)))
        if focus == "code":
            code = [u for u in (paper.links.code, paper.links.data, paper.links.project) if u]
            if code:
                return t("asked_code", lang, name=name, links=" · ".join(map(esc, code)))
            return t("asked_no_code", lang, name=name, link=esc(paper.abs_url or ""))
        # links: the arXiv id and its page
        if paper.arxiv:
            return t("asked_links", lang, name=name, arxiv=paper.arxiv, link=esc(paper.abs_url or ""))
        return t("asked_no_arxiv", lang, name=name)


def split_pages(text: str, limit: int) -> list[str]:
    """Escaped text in pages of at most `limit` characters: between paragraphs where they fit,
    else between sentences, a sentence longer than a page alone cut outside tags and entities."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    for para in text.split("\n\n"):
        if len(para) <= limit:
            pieces.append(para)
            continue
        current = ""
        for sentence in filter(None, _SENTENCE_END.split(para)):
            joined = f"{current} {sentence}" if current and not _cjk_edge(current) else current + sentence
            if len(joined) <= limit:
                current = joined
                continue
            if current:
                pieces.append(current)
            current = sentence if len(sentence) <= limit else ""
            if not current:
                pieces += split_html(sentence, limit)
        if current:
            pieces.append(current)
    pages: list[str] = []
    for piece in pieces:
        if pages and len(pages[-1]) + 2 + len(piece) <= limit:
            pages[-1] += "\n\n" + piece
        else:
            pages.append(piece)
    return pages


def _cjk_edge(text: str) -> bool:
    """Chinese sentences join without a space."""
    return "\u4e00" <= text[-1] <= "\u9fff" or text[-1] in "。！？；"
