"""Admin-only commands. Non-admins get no reply at all, so the commands do not reveal themselves."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.conversation.library import summary
from bot.render.html import esc, esc_clip
from bot.render.locale import t
from bot.render.reply import Reply
from handlers.common import PaperContext, lang_of, send

log = logging.getLogger(__name__)


def _is_admin(update: Update, context: PaperContext) -> bool:
    user = update.effective_user
    return context.state.is_admin(user.id if user else None)


async def reload_command(update: Update, context: PaperContext) -> None:
    if not _is_admin(update, context):
        return
    lang = lang_of(update, context)
    problems = await context.state.refresh(force=True) or []
    if problems:
        text = t("reload_failed", lang, problems=esc_clip("\n".join(problems), 3500))
    else:
        lib = context.state.library
        text = t("reload_ok", lang, summary=esc(summary(lib.catalog, lib.keywords)))
    await send(update, context, [Reply(text)])


async def stats_command(update: Update, context: PaperContext) -> None:
    if not _is_admin(update, context):
        return
    store = context.state.stats
    if store is None:
        await send(update, context, [Reply(t("stats_off", lang_of(update, context)))])
        return
    report = await store.report()
    await send(update, context, [Reply("<pre>" + esc_clip("\n".join(report.lines()), 3800) + "</pre>")])


async def watch_files(context: PaperContext) -> None:
    """JobQueue job: reload when a data file changed; tell the admins when the edit is broken."""
    problems = await context.state.refresh()
    if not problems:
        return
    text = t("reload_failed", "en", problems=esc_clip("\n".join(problems), 3500))
    for admin in context.state.settings.admin_ids:
        try:
            await context.bot.send_message(admin, text)
        except TelegramError as exc:
            log.warning("could not tell admin %s about the broken data files: %s", admin, exc)
