"""/foryou, "推荐几篇", "recommend me something": papers ranked by closeness to the reader's ⭐
saves (bot/search/likeness.py), three a page; the digest's featured papers while nothing is saved.
The saves are read through the guarded store: a store that is down costs a "try again later"."""

from __future__ import annotations

from telegram import Update

from bot.catalog.catalog import Catalog
from bot.render.foryou import SHOWN, ForYou, Recommended, page_slice
from bot.render.locale import Lang, t
from bot.render.reply import Reply
from bot.store.records import guarded
from handlers.common import PaperContext, lang_of, renderer, send


async def foryou_command(update: Update, context: PaperContext) -> None:
    lang = lang_of(update, context)
    reply = await for_you(update, context, 0, lang)
    if reply is not None:
        await send(update, context, [reply])


async def for_you(update: Update, context: PaperContext, page: int, lang: Lang) -> Reply | None:
    """A page of the reader's recommendations; None where there is no reader."""
    user, store = update.effective_user, context.state.store
    if user is None:
        return None
    ids = await guarded("reading saves", store.saved(user.id)) if store is not None else []
    if ids is None:
        return Reply(t("store_down", lang))
    library = context.state.library
    catalog = library.catalog
    view = ForYou(renderer(context, lang).kit)
    saved = [at for i in ids if (at := _position(catalog, i)) is not None]  # oldest first, as saved
    if not saved:
        return view.no_saves(library.featured(SHOWN))
    picks = library.recommender.rank(saved)
    page, shown = page_slice(len(picks), page)
    papers = catalog.papers  # only the page's papers are decoded
    return view.page([Recommended(papers[p.position], papers[p.near]) for p in picks[shown]], page, len(picks), len(saved))


def _position(catalog: Catalog, paper_id: str) -> int | None:
    try:
        return catalog.position(paper_id)
    except KeyError:  # a saved paper a reload removed
        return None
