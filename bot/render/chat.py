"""The bot's own words: the welcome, help and small talk, the operator's keyword-rule replies,
and the digest read page by page (one section a page)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.catalog.keywords import KeywordRules, find_digest
from bot.catalog.schema import Digest, Paper, ReplyItem
from bot.conversation.understand import ListFilter
from bot.render.cards import Cards
from bot.render.html import clip, clip_html, esc
from bot.render.kit import Kit
from bot.render.lists import Lists
from bot.render.locale import t
from bot.render.reply import Document, Reply


@dataclass(frozen=True)
class ChatReplies:
    kit: Kit
    cards: Cards
    lists: Lists
    digests: tuple[Digest, ...]
    keywords: KeywordRules
    featured: tuple[Paper, ...]   # offered as buttons under the welcome
    rng: random.Random

    def chat(self, kind: str) -> Reply:
        """Small talk: the welcome (with the main commands and examples), help, and short lines."""
        if kind == "greeting":
            return self.welcome()
        if kind == "help":
            return self.help()
        return Reply(t(f"chat_{kind}", self.kit.lang))

    def welcome(self) -> Reply:
        """/start and "hi": the operator's welcome, the main commands, and featured papers to try."""
        lang = self.kit.lang
        welcome = [r.text for item in self.keywords.welcome for r in self.reply_item(item) if r.text]
        buttons = self.kit.picks(self.featured, width=40, per_row=1)
        text = (welcome[0] if welcome else self.intro().text) + "\n\n" + t("commands_line", lang)
        return Reply(text + ("\n\n" + t("start_examples", lang) if buttons else ""), buttons)

    def reply_item(self, item: ReplyItem) -> list[Reply]:
        """One reply of a keyword rule, welcome or fallback."""
        catalog, lang = self.kit.catalog, self.kit.lang
        if item.text is not None:
            return [Reply(esc(item.text.get(lang)))]
        if item.paper is not None:
            paper = catalog.get(item.paper)
            return [self.cards.card(paper)] if paper else []
        if item.digest is not None:
            return [self.digest_page(item.digest, 0)]
        if item.bundle is not None:
            digest = find_digest(self.digests, item.bundle)
            caption = t("bundle_caption", lang, title=esc(digest.title if digest else item.bundle), count=len(catalog))
            return [Reply(document=Document("bundle", item.bundle, f"{item.bundle}-papers.zip"), caption=caption,
                          part_caption=t("bundle_part", lang))]
        return []

    def intro(self) -> Reply:
        """The short introduction: on joining a group, and /start when no welcome is configured."""
        title = self.digests[0].title if self.digests else "paperbot"
        return Reply(t("group_intro", self.kit.lang, digest=esc(title), count=len(self.kit.catalog)))

    def help(self) -> Reply:
        title, keyword = (self.digests[0].title, self.digests[0].keyword) if self.digests else ("paperbot", "")
        return Reply(t("help", self.kit.lang, digest=esc(title), keyword=esc(keyword or "LLM论文")))

    def digest_page(self, digest_id: str, page: int) -> Reply:
        kit, lang = self.kit, self.kit.lang
        digest = find_digest(self.digests, digest_id)
        if digest is None:
            return self.lists.list_page(ListFilter(), 0)
        page = min(max(page, 0), len(digest.sections) - 1)
        section = kit.catalog.section_by_id.get(digest.sections[page])
        papers = kit.catalog.in_digest(digest.id, digest.sections[page])
        name = (section.zh if lang == "zh" else section.en) if section else digest.sections[page]
        lines = [t("digest_page", lang, title=esc(digest.title), section=esc(name), count=len(self.kit.catalog),
                   sections=len(digest.sections)), ""]
        for n, paper in enumerate(papers, 1):
            lines.append(f"{n}. <b>{esc(paper.title)}</b>")
            lines.append(f"   {paper.date} · {kit.orgs(paper)}")
            if paper.impact:
                lines.append(f"   💡 {esc(clip(paper.impact_in(lang), 160))}")
        lines.append("\n" + t("page", lang, page=page + 1, pages=len(digest.sections)))
        if digest.keyword:
            lines.append(t("digest_closing", lang, keyword=esc(digest.keyword)))
        nav = kit.pager("dg", digest.id, page, len(digest.sections))
        return Reply(clip_html("\n".join(lines)), (nav,) if nav else ())
