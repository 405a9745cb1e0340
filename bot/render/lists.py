"""Lists of papers: a filter's pages, a reader's saves and follows, a push, similar papers, a
did-you-mean and counts. Pages hold PAGE_SIZE papers and edit one message through Prev/Next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.catalog.schema import Paper
from bot.conversation.answer import ChoiceAnswer, CountAnswer
from bot.conversation.understand import ListFilter, When
from bot.render import filters
from bot.render.html import clip, clip_html, esc
from bot.render.kit import Kit
from bot.render.locale import Lang, t
from bot.render.reply import LANG_BYTES, MAX_CALLBACK, Button, Reply, encode

if TYPE_CHECKING:
    pass

PAGE_SIZE = 8
PUSH_SHOWN = 8             # a push lists this many new papers, then how many more
QUERY_ECHO = 80


@dataclass(frozen=True)
class Lists:
    kit: Kit

    def filter_title(self, wanted: ListFilter) -> str:
        catalog, lang = self.kit.catalog, self.kit.lang
        parts = []
        if wanted.author:
            parts.append(t("by_author", lang, name=catalog.authors.get(wanted.author, wanted.author)))
        if wanted.org:
            org = catalog.org_by_id.get(wanted.org)
            parts.append(org.name(lang) if org else wanted.org)
        if wanted.section:
            section = catalog.section_by_id.get(wanted.section)
            parts.append((section.zh if lang == "zh" else section.en) if section else wanted.section)
        if wanted.when:
            parts.append(time_label(wanted.when, lang))
        parts += filters.title_parts(wanted, self.kit)
        return " · ".join(parts) or t("list_all", lang)

    def list_page(self, wanted: ListFilter, page: int, *, title: str | None = None) -> Reply:
        kit, lang = self.kit, self.kit.lang
        papers = kit.catalog.by_date(wanted.papers(kit.catalog))   # oldest first: "the second one" is the second shown
        heading = title or esc(self.filter_title(wanted))
        note = filters.arxiv_note(wanted, kit)
        if not papers:
            return Reply(t("list_empty", lang, filter=heading) + (f"\n{note}" if note else ""))
        pages = page_count(len(papers))
        page = min(max(page, 0), pages - 1)
        start, end = page_bounds(len(papers), page)
        chunk = papers[start:end]
        lines = [t("list_title", lang, title=heading, count=len(papers))]
        for n, paper in enumerate(chunk, start + 1):   # in date order, each line says its section
            lines.append(kit.paper_line(n, paper) + (f" · <i>{kit.section(paper)}</i>" if wanted.section is None else ""))
        if pages > 1:
            lines.append("\n" + t("page", lang, page=page + 1, pages=pages))
        if note:
            lines.append(note)
        rows = list(kit.picks(chunk))
        if len(wanted.key.encode()) <= MAX_CALLBACK - 10 - LANG_BYTES:  # room for "ls:", the page and "|zh"
            nav = kit.pager("ls", wanted.key, page, pages)
            if nav:
                rows.append(nav)
        if replace(wanted, section=None, org=None, author=None, topic=None).empty \
                and sum(map(bool, (wanted.section, wanted.org, wanted.author, wanted.topic))) == 1 \
                and len(wanted.key.encode()) <= MAX_CALLBACK - 5 - LANG_BYTES:
            rows.append((Button(t("btn_follow", lang), encode("sub", wanted.key, lang=lang)),))
        return Reply(clip_html("\n".join(lines)), tuple(rows))

    def saved_page(self, papers: Sequence[Paper], page: int) -> Reply:
        kit = self.kit
        if not papers:
            return Reply(t("saved_empty", kit.lang))
        pages = page_count(len(papers))
        page = min(max(page, 0), pages - 1)
        start, end = page_bounds(len(papers), page)
        lines = [t("saved_title", kit.lang, count=len(papers)), ""]
        lines += [kit.paper_line(n, p) for n, p in enumerate(papers[start:end], start + 1)]
        rows = kit.picks(papers[start:end])
        nav = kit.pager("svd", "", page, pages)
        return Reply(clip_html("\n".join(lines)), (*rows, nav) if nav else rows)

    def push(self, papers: Sequence[Paper]) -> Reply:
        """One message per follower per batch of new papers, with a button to open each."""
        kit = self.kit
        lines = [t("push_title", kit.lang, count=len(papers)), ""]
        for n, p in enumerate(papers[:PUSH_SHOWN], 1):
            lines.append(f"{n}. <b>{esc(clip(p.title, 120))}</b>")
            lines.append(f"   {p.date} · {kit.orgs(p)}")
            if p.impact:
                lines.append(f"   💡 {esc(clip(p.impact_in(kit.lang), 120))}")
        if len(papers) > PUSH_SHOWN:
            lines.append(f"… +{len(papers) - PUSH_SHOWN}")
        return Reply(clip_html("\n".join(lines)), kit.picks(papers[:PUSH_SHOWN]))

    def paper_list(self, heading: str, papers: tuple[Paper, ...]) -> Reply:
        """A short numbered list of papers with a button to open each (similar papers)."""
        if not papers:
            return Reply(heading)
        lines = [heading, *(self.kit.paper_line(n, p) for n, p in enumerate(papers, 1))]
        return Reply(clip_html("\n".join(lines)), self.kit.picks(papers))

    def choice(self, answer: ChoiceAnswer) -> Reply:
        lang = self.kit.lang
        query = esc(clip(answer.query, QUERY_ECHO))
        text = t("did_you_mean", lang) if answer.found else t("not_found_suggest", lang, query=query)
        return Reply(text, self.kit.picks(answer.papers, width=40, per_row=1))

    def count(self, answer: CountAnswer) -> Reply:
        catalog, lang = self.kit.catalog, self.kit.lang
        if not answer.filter.empty:
            title = esc(self.filter_title(answer.filter))
            if not answer.count:
                return Reply(t("list_empty", lang, filter=title))
            line = t("count_filtered", lang, title=title, count=answer.count, s="" if answer.count == 1 else "s")
            listing = self.list_page(answer.filter, 0)
            return Reply(line + "\n\n" + listing.text, listing.buttons)
        sep = "、" if lang == "zh" else ", "
        detail = sep.join(f"{esc(s.zh if lang == 'zh' else s.en)} {len(catalog.in_section(s.id))}"
                          for s in catalog.sections)
        return Reply(t("count", lang, count=len(catalog), sections=len(catalog.sections), detail=detail))


def page_count(n: int) -> int:
    """Pages of PAGE_SIZE papers; a last page of one or two papers joins the page before it
    (nine papers are one page of nine, not eight and a lonely one)."""
    pages = max(1, -(-n // PAGE_SIZE))
    return pages - 1 if pages > 1 and n % PAGE_SIZE in (1, 2) else pages


def page_bounds(n: int, page: int) -> tuple[int, int]:
    """[start, end) of a page's papers, `page` within page_count(n)."""
    start = page * PAGE_SIZE
    return start, n if page == page_count(n) - 1 else start + PAGE_SIZE


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def time_label(when: When, lang: Lang) -> str:
    """"2023-12", "2023", "12月" / "December", "2023年7–9月" / "2023-07 – 2023-09"."""
    if when.year is not None and when.first == when.last:
        return f"{when.year}-{when.first:02d}"
    if (when.first, when.last) == (1, 12):
        return str(when.year)
    if when.year is None and when.first == when.last:
        return f"{when.first}月" if lang == "zh" else _MONTHS_EN[when.first - 1]
    if lang == "zh":
        return f"{when.year}年{when.first}–{when.last}月" if when.year else f"{when.first}–{when.last}月"
    if when.year:
        return f"{when.year}-{when.first:02d} – {when.year}-{when.last:02d}"
    return f"{_MONTHS_EN[when.first - 1]}–{_MONTHS_EN[when.last - 1]}"
