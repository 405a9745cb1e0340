"""The bot was added to a group: one short introduction, nothing more."""

from __future__ import annotations

from telegram import ChatMember, Update

from handlers.common import PaperContext, is_group, lang_of, renderer, send


async def my_chat_member(update: Update, context: PaperContext) -> None:
    change = update.my_chat_member
    if change is None or not is_group(update):
        return
    was = change.old_chat_member.status
    now = change.new_chat_member.status
    joined = was in (ChatMember.LEFT, ChatMember.BANNED) and now in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
    if not joined:
        return
    await send(update, context, [renderer(context, lang_of(update, context)).chat.intro()])
