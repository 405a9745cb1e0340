"""What every handler shares: the typed context, language choice, and sending Replies."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.ext import Application, CallbackContext, ExtBot

from bot.conversation.answer import Answer, describe, next_context
from bot.conversation.understand import ChatContext
from bot.render.html import split_html
from bot.render.locale import Lang, language, t
from bot.render.renderer import Renderer
from bot.render.reply import Button, Callback, Reply, decode
from bot.store.records import QUICK, guarded
from bot.store.stats import QueryRecord
from bot.telegram.state import BotState

WELCOME_PICKS = 3


class PaperContext(CallbackContext[ExtBot[None], dict[object, object], dict[object, object], dict[object, object]]):
    """CallbackContext with the bot's state as a typed property instead of bot_data casts."""

    @property
    def state(self) -> BotState:
        state = self.application.bot_data["state"]
        assert isinstance(state, BotState)
        return state

    @property
    def chat_id(self) -> int | None:
        """The update's chat (kept by CallbackContext for chat_data, which this bot does not use)."""
        return self._chat_id


PaperApp = Application[Any, PaperContext, Any, Any, Any, Any]




def lang_of(update: Update, context: PaperContext, text: str = "") -> Lang:
    """The reader's /lang choice when they made one; else the message's language, else Telegram's."""
    user = update.effective_user
    chosen = context.state.languages.get(user.id) if user is not None else None
    if chosen == "zh":
        return "zh"
    if chosen == "en":
        return "en"
    return language(text, user.language_code if user else None)


def renderer(context: PaperContext, lang: Lang) -> Renderer:
    lib = context.state.library
    return Renderer(lib.catalog, lang, lib.digests, context.state.rng, lib.keywords, tuple(lib.featured(WELCOME_PICKS)),
                    lib.topics)


def chat_context(context: PaperContext) -> ChatContext:
    """What this chat was last shown (a fresh context in inline mode, which has no chat, and for
    a chat idle longer than PAPERBOT_MEMORY_TTL)."""
    found = context.state.contexts.get(context.chat_id) if context.chat_id is not None else None
    return found or ChatContext()


def remember(context: PaperContext, answer: Answer | None) -> None:
    """Keep what an answer showed, so the chat's next message can refer to it ("它的代码呢")."""
    if context.chat_id is not None:
        context.state.contexts.set(context.chat_id, next_context(chat_context(context), answer,
                                                                 context.state.library.catalog))


def is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.text, url=b.url) if b.url else
                                  InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
                                 for row in reply.buttons if row])


async def mark_saved(update: Update, context: PaperContext, replies: list[Reply]) -> list[Reply]:
    """Cards' ⭐ buttons show whether this reader saved the paper (one query for all of them)."""
    user = update.effective_user
    store = context.state.store
    ids = [star.paper_id for r in replies for row in r.buttons for b in row if (star := save_button(b))]
    if not ids or user is None or store is None:
        return replies
    saved = await saved_of(context, user.id)
    if not saved.intersection(ids):
        return replies
    fallback = lang_of(update, context)
    return [replace(r, buttons=tuple(tuple(_saved_button(b, saved, fallback) for b in row) for row in r.buttons))
            for r in replies]


async def saved_of(context: PaperContext, user_id: int) -> frozenset[str]:
    """The reader's saves from memory; read (briefly) when not there: a slow store costs the ⭐
    marks of one reply, never the reply."""
    found = context.state.saved.get(user_id)
    store = context.state.store
    if found is None and store is not None:
        async def read() -> frozenset[str]:
            return frozenset(await store.saved(user_id))

        # One read per reader in flight; one that outlasts QUICK still lands in the memory.
        found = await guarded("reading saves", asyncio.shield(context.state.saved_reads.read(user_id, read)),
                              timeout=QUICK)
    return found or frozenset()


def save_button(button: Button) -> Callback | None:
    """The ⭐ button's callback, None for any other button."""
    callback = decode(button.data) if button.data else None
    return callback if callback is not None and callback.verb == "save" else None


def button_lang(callback: Callback | None, fallback: Lang) -> Lang:
    """The language of the message a button is on (a Chinese card's buttons answer in Chinese)."""
    lang = callback.lang if callback is not None else ""
    return "zh" if lang == "zh" else "en" if lang == "en" else fallback


def _saved_button(button: Button, saved: frozenset[str], fallback: Lang) -> Button:
    star = save_button(button)
    if star is not None and star.paper_id in saved:
        return replace(button, text=t("btn_saved", button_lang(star, fallback)))
    return button


async def send(update: Update, context: PaperContext, replies: list[Reply]) -> None:
    """Send rendered replies to the update's chat; in groups they quote the asking message."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None:
        return
    quote = ReplyParameters(message.message_id, allow_sending_without_reply=True) \
        if message is not None and is_group(update) else None
    for reply in await mark_saved(update, context, replies):
        if reply.document is not None:
            await send_document(chat.id, context, reply, quote)
            continue
        chunks = split_html(reply.text)
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            await context.bot.send_message(chat.id, chunk, reply_markup=markup(reply) if last else None,
                                           reply_parameters=quote)


async def send_document(chat_id: int, context: PaperContext, reply: Reply,
                        quote: ReplyParameters | None) -> None:
    """The bundle, one document per part; each part's Telegram file_id is reused afterwards."""
    assert reply.document is not None
    state = context.state
    if reply.document.data is not None:  # a file made for this reader (/saved bib, ris, csl)
        upload = InputFile(reply.document.data, filename=reply.document.filename)
        if reply.document.mime:   # Python's mimetypes knows neither .ris nor CSL-JSON
            upload.mimetype = reply.document.mime
        await context.bot.send_document(chat_id, upload, caption=reply.caption or None, reply_parameters=quote)
        return
    key, bundle = state.bundle(reply.document.key)
    total = len(bundle.parts)
    for n, part in enumerate(bundle.parts, 1):
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        part_key = f"{key}:{n}"
        cached = state.file_ids.get(part_key)
        if cached is None and state.store is not None:  # another replica may have uploaded it
            cached = await guarded("reading a file_id", state.store.file_id(part_key))
        caption = reply.caption if n == 1 else ""
        if total > 1:
            caption = (caption + "\n" if caption else "") + reply.part_caption.format(n=n, total=total)
        sent: Message = await context.bot.send_document(
            chat_id, cached or part.data, filename=None if cached else part.filename,
            caption=caption or None, reply_parameters=quote)
        if sent.document is not None and not cached:
            state.file_ids[part_key] = sent.document.file_id  # Telegram keeps the file: reuse it
            if state.store is not None:
                await guarded("keeping a file_id", state.store.remember_file_id(part_key, sent.document.file_id))


async def record(update: Update, context: PaperContext, query: str, answer: Answer | None, lang: Lang) -> None:
    """Keep the query for the curator's analytics (when they are on); never fails a reply."""
    store = context.state.stats
    if store is None:
        return
    kind, paper_id, hit = describe(answer)
    chat = update.effective_chat
    user = update.effective_user
    await store.record(QueryRecord(chat.type if chat else "inline", lang, query, kind, paper_id, hit,
                                   user.id if user else None))
