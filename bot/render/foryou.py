"""/foryou as a reply: three recommendations a page, each with the saved paper it is close to,
Prev/Next editing the same message; without saves, the digest's featured papers and a hint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalog.schema import Paper
from bot.render.html import clip_html
from bot.render.kit import Kit
from bot.render.locale import t
from bot.render.reply import Reply

SHOWN = 3  # recommendations a page


def page_count(total: int) -> int:
    return max(1, -(-total // SHOWN))


def page_slice(total: int, page: int) -> tuple[int, slice]:
    """The page asked for, kept within the pages there are, and its picks' places."""
    page = min(max(page, 0), page_count(total) - 1)
    return page, slice(page * SHOWN, page * SHOWN + SHOWN)


@dataclass(frozen=True)
class Recommended:
    paper: Paper
    near: Paper  # the saved paper it is closest to


@dataclass(frozen=True)
class ForYou:
    kit: Kit

    def page(self, shown: Sequence[Recommended], page: int, total: int, saved: int) -> Reply:
        """Page `page` (its picks `shown`) of `total` recommendations from `saved` saves."""
        kit, lang = self.kit, self.kit.lang
        if not shown:
            return Reply(t("foryou_none", lang))
        pages = page_count(total)
        lines = [t("foryou_title", lang, count=saved), ""]
        for n, pick in enumerate(shown, page * SHOWN + 1):
            lines += [kit.paper_line(n, pick.paper), t("foryou_near", lang, name=kit.name(pick.near))]
        if pages > 1:
            lines.append("\n" + t("page", lang, page=page + 1, pages=pages))
        rows = kit.picks([p.paper for p in shown], per_row=SHOWN)
        nav = kit.pager("fy", "", page, pages)
        return Reply(clip_html("\n".join(lines)), (*rows, nav) if nav else rows)

    def no_saves(self, featured: Sequence[Paper]) -> Reply:
        """Nothing saved: the digest's featured papers to start from, and how to save one."""
        kit = self.kit
        lines = [t("foryou_empty", kit.lang), ""]
        lines += [kit.paper_line(n, p) for n, p in enumerate(featured, 1)]
        return Reply(clip_html("\n".join(lines)), kit.picks(featured, width=40, per_row=1))
