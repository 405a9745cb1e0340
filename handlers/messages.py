"""Plain text: keyword rules, questions and searches.

Private chats always get an answer (the fallback when nothing matches). Groups stay quiet
unless the message mentions the bot, replies to it, or fires a keyword rule, and a rule
fires at most once per chat per cooldown so a busy group is not spammed.
"""

from __future__ import annotations

import re

from telegram import Update

from bot.answer import FallbackAnswer, KeywordAnswer, answer_text
from handlers.common import PaperContext, is_group, lang_of, record, renderer, send

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
    text = text[:MAX_QUESTION].strip()
    if not text:
        return
    lib = state.library
    if addressed:
        answer = answer_text(text, lib.index, lib.keywords, private=not group)
    else:  # group chatter: only a keyword rule may answer it, so nothing else is worth searching
        rule = lib.keywords.match(text)
        answer = KeywordAnswer(rule) if rule is not None else None
    if answer is None:
        return
    if group and isinstance(answer, KeywordAnswer) and not state.cooldown.allow(chat.id, answer.rule.id):
        return
    lang = lang_of(update, text)
    r = renderer(context, lang)
    if isinstance(answer, FallbackAnswer):
        replies = [reply for item in lib.keywords.fallback for reply in r.reply_item(item)]
    else:
        replies = r.answer(answer)
    await send(update, context, replies)
    await record(update, context, text, answer, lang)
