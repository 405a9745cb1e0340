"""Readers' own state: ⭐ saves, /saved, follows (/subscribe, /subscriptions, /unsubscribe, 🔔),
/lang, /forget, /privacy. Every store call is guarded: a database that is down costs the
reader a short "try again later", never an error."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from telegram import Update

from bot.catalog.schema import Paper
from bot.conversation.cadence import guessed_zone, parse_zone, split_cadence, tz_of
from bot.conversation.follow import Target, target_of, target_of_filter
from bot.conversation.understand import ListFilter
from bot.render import exports
from bot.render.html import esc
from bot.render.locale import Lang, t
from bot.render.reply import Reply
from bot.render.wording import plural_s, quoted_list
from bot.store.records import MAX_SUBSCRIPTIONS, QUICK, Cadence, Subscription, guarded
from bot.text import clean_input
from handlers.common import PaperContext, lang_of, renderer, send

if TYPE_CHECKING:
    from bot.store.store import Store


def _reader(update: Update, context: PaperContext, text: str = "") -> tuple[int, Store, Lang] | None:
    """The reader's id, the store and the reply language; None where there is no reader or store."""
    user, store = update.effective_user, context.state.store
    if user is None or store is None:
        return None
    return user.id, store, lang_of(update, context, text)


FAILED = "failed"   # guarded's default: the store did not say


def _args(context: PaperContext) -> str:
    return clean_input(" ".join(context.args or [])).strip()


async def load_language(update: Update, context: PaperContext) -> None:
    """Before any handler: the reader's /lang choice, from memory, else read once from the store
    (shared by replicas) within QUICK seconds; a slow store leaves the message's language."""
    user = update.effective_user
    store = context.state.store
    if user is None or store is None or context.state.languages.get(user.id) is not None:
        return
    if store.db.stalled() >= QUICK:   # a hung store: not even QUICK seconds of this card wait for it
        return
    async def read() -> str:
        return await store.language(user.id) or "auto"

    # A read that outlasts QUICK still lands in the memory: the reader's next message finds it.
    await guarded("reading a language", asyncio.shield(context.state.language_reads.read(user.id, read)), FAILED,
                  timeout=QUICK)


async def saved_command(update: Update, context: PaperContext) -> None:
    reader = _reader(update, context)
    if reader is None:
        return
    user_id, store, lang = reader
    ids = await guarded("reading saves", store.saved(user_id))
    if ids is None:
        await send(update, context, [Reply(t("store_down", lang))])
        return
    papers = _papers(context, ids)
    fmt = _args(context).lower()
    if fmt in exports.FORMATS and papers:   # /saved bib, /saved ris, /saved csl: a file to import
        document = exports.export(papers, context.state.library.catalog, fmt)
        await send(update, context, [Reply(document=document)])
        return
    await send(update, context, [renderer(context, lang).lists.saved_page(papers, 0)])


def _papers(context: PaperContext, ids: list[str]) -> list[Paper]:
    """Saved ids as papers of the catalog served now (a paper since removed is skipped)."""
    catalog = context.state.library.catalog
    return [p for i in ids if (p := catalog.get(i)) is not None]


async def saved_page(update: Update, context: PaperContext, page: int, lang: Lang | None = None) -> Reply | None:
    reader = _reader(update, context)
    if reader is None:
        return None
    user_id, store, reader_lang = reader
    lang = lang or reader_lang  # a page button keeps the language of the message it is on
    ids = await guarded("reading saves", store.saved(user_id), [])
    return renderer(context, lang).lists.saved_page(_papers(context, ids), page)


async def toggle_save(update: Update, context: PaperContext, paper_id: str, lang: Lang | None = None) -> str | None:
    """The ⭐ button: save or remove; the toast to show (in the card's language), None when the store failed."""
    reader = _reader(update, context)
    if reader is None:
        return None
    user_id, store, reader_lang = reader
    lang = lang or reader_lang
    state = await guarded("saving a paper", store.toggle_save(user_id, paper_id))
    if state is None:
        return None
    known = context.state.saved.get(user_id)
    if known is not None:   # written through: the next card's ⭐ shows it without a read
        context.state.saved.set(user_id, known | {paper_id} if state else known - {paper_id})
    return t("save_added" if state else "save_removed", lang)


async def follow(update: Update, context: PaperContext, target: Target, lang: Lang,
                 cadence: Cadence | None = None) -> str:
    """Store a follow for this reader in this chat; a cadence or exclusions named update the
    follow there, what is not named keeps its value (a new follow: instant, none). The line to
    answer with."""
    user, chat = update.effective_user, update.effective_chat
    store = context.state.store
    if user is None or chat is None or store is None:
        return t("store_down", lang)
    if cadence is None or not target.without:   # what the reader did not say stays as it was
        subs = await guarded("reading follows", store.subscriptions_of(user.id))
        if subs is None:   # a store that cannot read now will not write either: say so at once
            return t("store_down", lang)
        there = next((s for s in subs if (s.kind, s.value) == (target.kind, target.value)), None)
        cadence = cadence or (there.cadence if there else "instant")
        target = replace(target, without=target.without or (there.without if there else ()))
    done = await guarded("storing a follow", store.subscribe(
        Subscription(user.id, chat.id, target.kind, target.value, target.label, lang, cadence, target.without)))
    if done is None:
        return t("store_down", lang)
    if done == "limit":
        return t("sub_limit", lang, limit=MAX_SUBSCRIPTIONS)
    zone = await guarded("reading a time zone", store.roundups.zone(user.id), timeout=QUICK) \
        if cadence != "instant" else None
    return renderer(context, lang).roundups.followed(done, target.label, cadence, target.without,
                                                     zone or guessed_zone(lang))


async def subscribe_command(update: Update, context: PaperContext) -> None:
    what = _args(context)
    await subscribe_to(update, context, what, lang_of(update, context, what))


async def subscribe_to(update: Update, context: PaperContext, what: str, lang: Lang, *, said: bool = False) -> bool:
    """/subscribe WHAT [weekly|daily|instant] [-NAME], or the same `said` in plain words, where
    nothing to follow leaves the message to be answered as a question (False)."""
    cadence, rest = split_cadence(what)
    lib = context.state.library
    target = target_of(rest, lib.index, lib.gazetteer, lang) if rest else None
    if target is None and said:
        return False
    if not rest:
        await send(update, context, [Reply(t("sub_usage", lang))])
    elif target is None:
        await send(update, context, [Reply(t("sub_nothing", lang, what=esc(rest[:80])))])
    else:
        await send(update, context, [Reply(await follow(update, context, target, lang, cadence))])
    return True


async def tz_command(update: Update, context: PaperContext) -> None:
    """/tz Europe/Berlin, /tz UTC+8: the zone daily and weekly roundups keep 09:00 in; /tz alone shows it."""
    what = _args(context)
    reader = _reader(update, context, what)
    if reader is None:
        return
    user_id, store, lang = reader
    if not what:
        zone = await guarded("reading a time zone", store.roundups.zone(user_id), FAILED)
        shown = guessed_zone(lang) if zone in (None, FAILED) else str(zone)
        await send(update, context, [Reply(t("tz_usage", lang, zone=esc(shown)))])
        return
    zone = parse_zone(what)
    if zone is None:
        await send(update, context, [Reply(t("tz_unknown", lang, what=esc(what[:40])) + "\n"
                                           + t("tz_usage", lang, zone=esc(guessed_zone(lang))))])
        return
    done = await guarded("storing a time zone", store.roundups.set_zone(user_id, zone), FAILED)
    if done == FAILED:
        await send(update, context, [Reply(t("store_down", lang))])
        return
    local = dt.datetime.fromtimestamp(context.state.now(), tz_of(zone))
    await send(update, context, [Reply(t("tz_set", lang, zone=esc(zone), time=local.strftime("%H:%M")))])


def target_of_key(key: str, context: PaperContext, lang: Lang) -> Target | None:
    """The 🔔 button on a list: its filter (from the callback data) as something to follow."""
    wanted = ListFilter.from_key(key)
    lib = context.state.library
    return None if wanted is None else target_of_filter(wanted, lib.catalog, lang, lib.gazetteer.topics)


async def subscriptions_command(update: Update, context: PaperContext) -> None:
    reader = _reader(update, context)
    if reader is None:
        return
    user_id, store, lang = reader
    subs = await guarded("reading follows", store.subscriptions_of(user_id))
    reply = Reply(t("store_down", lang)) if subs is None else renderer(context, lang).roundups.subscriptions(subs)
    await send(update, context, [reply])


async def unsubscribe_command(update: Update, context: PaperContext) -> None:
    """/unsubscribe: all; /unsubscribe 2: the second listed; /unsubscribe agent: that one."""
    what = _args(context)
    reader = _reader(update, context, what)
    if reader is None:
        return
    user_id, store, lang = reader
    every = not what or what.lower() in ("all", "全部")
    subs = await guarded("reading follows", store.subscriptions_of(user_id), [])
    if every:
        chosen = subs
        count = await guarded("removing follows", store.unsubscribe(user_id))
    else:
        lib = context.state.library
        _, named = split_cadence(what)   # "/unsubscribe multimodal weekly" names the follow
        target = target_of(named, lib.index, lib.gazetteer, lang) if named else None
        chosen = [s for n, s in enumerate(subs, 1) if what == str(n) or what.casefold() == s.label.casefold()
                  or (target is not None and (s.kind, s.value) == (target.kind, target.value))]
        count = 0
        for sub in chosen:
            count += await guarded("removing a follow", store.unsubscribe(user_id, sub.kind, sub.value), 0)
    if count is None:
        await send(update, context, [Reply(t("store_down", lang))])
        return
    # Name what stopped ("Stopped following “Agents and tools”"), not how many.
    labels = quoted_list([esc(s.label) for s in chosen], lang)
    details = renderer(context, lang).roundups.details(chosen[0]) if len(chosen) == 1 else ""
    if details:   # which follow stopped, when it had a cadence or exclusions: “Multimodal” (weekly · not Microsoft)
        labels += f"（{details}）" if lang == "zh" else f" ({details})"
    key = "unsubscribed_all" if every and len(chosen) > 1 else "unsubscribed"
    await send(update, context, [Reply(t(key, lang, count=len(chosen), labels=labels) if count and chosen
                                       else t("unsub_none", lang))])


async def lang_command(update: Update, context: PaperContext) -> None:
    user = update.effective_user
    store = context.state.store
    choice = _args(context).lower()
    if user is None or store is None:
        return
    if choice not in ("zh", "en", "auto"):
        await send(update, context, [Reply(t("lang_usage", lang_of(update, context)))])
        return
    done = await guarded("storing a language", store.set_language(user.id, None if choice == "auto" else choice),
                         False)
    context.state.languages.set(user.id, choice)   # written through: no read on the next message
    lang: Lang = "zh" if choice == "zh" else "en" if choice == "en" else lang_of(update, context)
    text = t("store_down", lang) if done is False else t("lang_auto" if choice == "auto" else "lang_set", lang)
    await send(update, context, [Reply(text)])


async def forget_command(update: Update, context: PaperContext) -> None:
    reader = _reader(update, context)
    if reader is None:
        return
    user_id, store, lang = reader
    count = await guarded("forgetting a reader", store.forget(user_id))
    for memo in (context.state.languages, context.state.saved, context.state.contexts):
        memo.drop(user_id)
    await send(update, context, [Reply(t("store_down", lang) if count is None else t("forgot", lang, count=count, s=plural_s(count)))])


async def privacy_command(update: Update, context: PaperContext) -> None:
    await send(update, context, [Reply(t("privacy", lang_of(update, context)))])
