"""Plain text: keyword rules, questions and searches.

Private chats always get an answer (the fallback when nothing matches). Groups stay quiet
unless the message mentions the bot, replies to it, or fires a keyword rule, and a rule
fires at most once per chat per cooldown so a busy group is not spammed.
"""

from __future__ import annotations

import re

from telegram import Update

from bot.conversation.answer import KeywordAnswer, answer_text
from bot.conversation.follow_words import follow_request
from bot.conversation.foryou import ForYouAnswer
from bot.text import clean_input
from handlers import foryou, readers
from handlers.common import PaperContext, chat_context, is_group, lang_of, record, remember, renderer, send

# Messages longer than this are not questions about papers; read only their start.
MAX_QUESTION = 512


def addressed_to_bot(update: Update, context: PaperContext) -> tuple[bool, str]:
    """(whether a group message is meant for the bot, its text without the @mention)."""
    message = update.effective_message
    if message is None or not message.text:
        return False, ""
    text = message.text
    username = context.bot.username or ""
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE) if username else None
    mentioned = bool(mention and mention.search(text))
    replied = bool(message.reply_to_message and message.reply_to_message.from_user
                   and message.reply_to_message.from_user.id == context.bot.id)
    if mention:
        text = mention.sub(" ", text).strip()
    return mentioned or replied, text


async def text_message(update: Update, context: PaperContext) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or not message.text:
        return
    state = context.state
    group = is_group(update)
    addressed, text = addressed_to_bot(update, context) if group else (True, message.text)
    text = clean_input(text[:MAX_QUESTION]).strip()
    if not text and not (group and addressed):  # a bare @mention still gets a short help line
        return
    lib = state.library
    # "每周给我推送多模态的论文", "follow agent papers but not google": a follow, when it names one.
    wanted = follow_request(text) if addressed and state.store is not None else None
    if wanted is not None and await readers.subscribe_to(update, context, wanted, lang_of(update, context, text),
                                                         said=True):
        return
    # Context is per chat, and in groups only what was addressed to the bot builds it or reads it.
    answer = answer_text(text, lib, chat_context(context), private=not group, addressed=addressed)
    if answer is None:
        return
    if group and isinstance(answer, KeywordAnswer) and not await state.cooldown_allows(chat.id, answer.rule.id):
        return
    lang = lang_of(update, context, text)
    if isinstance(answer, ForYouAnswer):   # recommendations need the reader's saves, read by the handler
        reply = await foryou.for_you(update, context, answer.page, lang)
        await send(update, context, [reply] if reply is not None else [])
        await record(update, context, text, answer, lang)
        return
    await send(update, context, renderer(context, lang).answer(answer))
    if addressed:
        remember(context, answer)
    await record(update, context, text, answer, lang)
