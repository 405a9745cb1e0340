"""Follows as the reader sees them: a daily or weekly roundup (one message per period, paged
with Prev/Next under Telegram's limits), a follow's line in /subscriptions (its cadence and
what it leaves out), and the answers of /subscribe and /tz."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalog.schema import Paper
from bot.conversation.cadence import ROUNDUP_HOUR, cadence_word
from bot.conversation.understand import ListFilter
from bot.render.filters import title_parts
from bot.render.html import clip_html, esc
from bot.render.kit import Kit
from bot.render.lists import page_bounds, page_count
from bot.render.locale import t
from bot.render.reply import Reply
from bot.store.records import Cadence, Subscription

PAGE_VERB = "rp"   # callback data "rp:<roundup id>:<page>": a roundup's page, read back from the log


@dataclass(frozen=True)
class Roundups:
    kit: Kit

    def roundup(self, sub: Subscription, period: str, shown: Sequence[Paper], roundup_id: int, page: int = 0) -> Reply:
        """One period's new papers of one follow: its first page, or `page` for Prev/Next."""
        kit = self.kit
        pages = page_count(len(shown))
        page = min(max(page, 0), pages - 1)
        start, end = page_bounds(len(shown), page)
        if sub.cadence == "instant":   # papers a follow collected before it was made instant: a push
            heading = t("push_title", kit.lang, count=len(shown))
        else:
            heading = t("roundup_week" if sub.cadence == "weekly" else "roundup_day", kit.lang, label=esc(sub.label),
                        count=len(shown), since=period.partition(":")[2], hour=f"{ROUNDUP_HOUR:02d}:00")
        lines = [heading, ""]
        lines += [kit.paper_line(n, p) for n, p in enumerate(shown[start:end], start + 1)]
        if sub.without:
            lines += ["", esc(self.leaves_out(sub.without))]
        rows = kit.picks(shown[start:end])
        nav = kit.pager(PAGE_VERB, str(roundup_id), page, pages)
        return Reply(clip_html("\n".join(lines)), (*rows, nav) if nav else rows)

    def leaves_out(self, without: tuple[str, ...]) -> str:
        """"不含 微软" / "not Microsoft" (unescaped): what a follow never pushes."""
        return " · ".join(title_parts(ListFilter(without=without), self.kit))

    def subscriptions(self, subs: Sequence[Subscription]) -> Reply:
        """/subscriptions: every follow, numbered as /unsubscribe takes them."""
        lang = self.kit.lang
        if not subs:
            return Reply(t("subs_empty", lang))
        lines = [t("subs_title", lang), *(self.follow_line(n, s) for n, s in enumerate(subs, 1))]
        return Reply(clip_html("\n".join(lines)))

    def follow_line(self, n: int, sub: Subscription) -> str:
        """"2. Section: <b>Multimodal</b> · weekly · not Microsoft" for /subscriptions."""
        details = self.details(sub)
        line = f"{n}. {t('kind_' + sub.kind, self.kit.lang)}: <b>{esc(sub.label)}</b>"
        return f"{line} · {details}" if details else line

    def details(self, sub: Subscription) -> str:
        """A follow's cadence (when not instant) and exclusions, escaped: "weekly · not Microsoft"."""
        parts = [cadence_word(sub.cadence, self.kit.lang)] if sub.cadence != "instant" else []
        if sub.without:
            parts.append(esc(self.leaves_out(sub.without)))
        return " · ".join(parts)

    def followed(self, done: str, label: str, cadence: Cadence, without: tuple[str, ...], zone: str) -> str:
        """The answer to /subscribe: what is followed, how often and when, and what it leaves out."""
        lang = self.kit.lang
        key = {"added": "subscribed", "exists": "already_subscribed", "updated": "sub_updated"}[done]
        text = t(key, lang, label=esc(label))
        if cadence != "instant" and done != "exists":
            text += "\n" + t("sub_cadence_" + cadence, lang, zone=esc(zone))
        if without and done != "exists":
            text += "\n" + t("sub_leaves_out", lang, names=esc(self.leaves_out(without)))
        return text
