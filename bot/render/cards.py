"""A paper's card: title, date, organisations, section, authors, impact and summary, with the
line that answers the question asked (who, when, impact, links, code, yes or no) above it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog.bundle import bibtex_entry
from bot.catalog.schema import Paper
from bot.conversation.answer import CheckAnswer
from bot.render.html import clip, clip_html, esc, esc_clip
from bot.render.kit import Kit
from bot.render.locale import t
from bot.render.reply import Button, Reply, encode
from bot.render.standing import card_lines
from bot.render.summary import summary_sentence
from bot.text import normalise

SUMMARY_CHARS = 220
CARD_AUTHORS = 3          # a card names the first authors, "who wrote it" a few more
WHO_AUTHORS = 8
EXPANDED_CHARS = 3200    # an expanded card stays one message, with room for its other lines


@dataclass(frozen=True)
class Cards:
    kit: Kit

    def card(self, paper: Paper, focus: str = "card", *, expanded: bool = False, focus_line: str = "") -> Reply:
        lang = self.kit.lang
        lines: list[str] = []
        focus_line = focus_line or self.focus_line(paper, focus)
        if focus_line:
            lines += [focus_line, ""]
        title = esc(paper.title)
        lines.append(f'<b><a href="{paper.abs_url}">{title}</a></b>' if paper.abs_url else f"<b>{title}</b>")
        date = paper.date + (t("when_arxiv", lang, date=paper.arxiv_date) if paper.arxiv_date else "")
        meta = [t("card_date", lang, date=date), "🏛 " + self.kit.orgs(paper),
                "📚 " + self.kit.section(paper)]
        lines.append(" · ".join(meta))
        if paper.authors:
            lines.append("✍️ " + esc(self.kit.authors(paper, CARD_AUTHORS)))
        if paper.impact:
            lines.append("💡 " + esc(paper.impact_in(lang)))
        lines += card_lines(paper, lang)
        if expanded:  # English readers get arXiv's abstract; without one, the summary and the Chinese one
            body = ((paper.abstract_zh or paper.abstract_en or paper.summary_en) if lang == "zh"
                    else paper.abstract_en or "\n\n".join(filter(None, (paper.summary_en, paper.abstract_zh))))
            lines += ["", esc_clip(body, EXPANDED_CHARS)]
        else:  # as short in Chinese as in English: one sentence, the abstract is behind its button
            short = (summary_sentence(paper.abstract_zh, paper.short_name) if lang == "zh" and paper.abstract_zh
                     else clip(paper.summary_en, SUMMARY_CHARS))
            lines += ["", esc(short)]
        for erratum in paper.errata:
            if erratum.field == "title" and normalise(erratum.digest) == normalise(paper.title):
                continue  # capitals or an apostrophe's shape: not worth a reader's line
            if erratum.field in ("orgs", "title", "date") and erratum.digest:  # not a value arXiv later changed
                lines.append(t("card_errata", lang, field=t(f"field_{erratum.field}", lang),
                               digest=esc(clip(erratum.digest, 90)), note=esc(erratum.note) if lang == "en" else ""))
            elif expanded and erratum.field == "abstract_zh":
                lines.append("⚠️ " + t("abstract_missing_note" if not erratum.digest else "wrong_abstract_note", lang))
        if paper.arxiv:
            lines.append(f"arXiv: <code>{paper.arxiv}</code>")
        text = "\n".join(lines).rstrip()
        return Reply(clip_html(text), self.buttons(paper, expanded))

    def focus_line(self, paper: Paper, focus: str) -> str:
        lang, name = self.kit.lang, self.kit.name(paper)
        if focus == "who":
            who = (t("who", lang, name=name, orgs=self.kit.orgs(paper), date=paper.date) if paper.orgs
                   else t("who_no_org", lang, name=name, date=paper.date))
            if paper.authors:
                who += "\n" + t("who_authors", lang, authors=esc(self.kit.authors(paper, WHO_AUTHORS)))
            return who
        if focus == "when":
            extra = t("when_arxiv", lang, date=paper.arxiv_date) if paper.arxiv_date else ""
            return t("when", lang, name=name, date=paper.date) + extra
        if focus == "impact":
            return t("impact_focus", lang, name=name, impact=esc(paper.impact_in(lang) or t("no_impact", lang)))
        if focus == "links":
            links = [u for u in (paper.abs_url, paper.pdf_url, paper.links.code, paper.links.data, paper.links.project)
                     if u]
            return t("links_focus", lang, name=name) + "\n" + "\n".join(esc(u) for u in links)
        if focus == "code":
            code = [u for u in (paper.links.code, paper.links.data, paper.links.project) if u]
            if code:
                return t("code_focus", lang, name=name) + "\n" + "\n".join(esc(u) for u in code)
            paper_links = [u for u in (paper.abs_url, paper.pdf_url) if u]
            return t("no_code", lang, name=name) + "\n" + "\n".join(esc(u) for u in paper_links)
        return ""

    def check_line(self, answer: CheckAnswer) -> str:
        """"是的，…" / "不是，…": the yes or no first, then the fact that decides it."""
        paper, claim, lang = answer.paper, answer.claim, self.kit.lang
        if claim.org:
            fact = t("who", lang, name=self.kit.name(paper), orgs=self.kit.orgs(paper), date=paper.date)
        elif claim.section:
            fact = t("in_section", lang, name=self.kit.name(paper), section=self.kit.section(paper))
        else:
            extra = t("when_arxiv", lang, date=paper.arxiv_date) if paper.arxiv_date else ""
            fact = t("when", lang, name=self.kit.name(paper), date=paper.date) + extra
        return t("yes" if answer.holds else "no", lang) + fact

    def buttons(self, paper: Paper, expanded: bool = False) -> tuple[tuple[Button, ...], ...]:
        lang = self.kit.lang
        first = [Button(t("btn_card" if expanded else "btn_abstract", lang),
                        encode("card" if expanded else "abs", paper.id, lang=lang)),
                 Button(t("btn_similar", lang), encode("sim", paper.id, lang=lang)),
                 Button(t("btn_bibtex", lang), encode("bib", paper.id, lang=lang)),
                 Button(t("btn_save", lang), encode("save", paper.id, lang=lang))]
        second = []
        if paper.pdf_url:
            second.append(Button(t("btn_pdf", lang), url=paper.pdf_url))
        if paper.abs_url:
            second.append(Button(t("btn_arxiv", lang), url=paper.abs_url))
        if paper.links.code:
            second.append(Button(t("btn_code", lang), url=paper.links.code))
        if paper.links.data:
            second.append(Button(t("btn_data", lang), url=paper.links.data))
        return (tuple(first), tuple(second)) if second else (tuple(first),)

    def bibtex(self, paper: Paper) -> Reply:
        return Reply(f"<pre>{esc(bibtex_entry(paper, self.kit.catalog))}</pre>")
