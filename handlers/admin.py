"""Admin-only commands. Non-admins get no reply at all, so the commands do not reveal themselves."""

from __future__ import annotations

from telegram import Update

from bot.library import summary
from bot.locale import t
from bot.render import Reply, clip, esc
from handlers.common import PaperContext, lang_of, send


def _is_admin(update: Update, context: PaperContext) -> bool:
    user = update.effective_user
    return context.state.is_admin(user.id if user else None)


async def reload_command(update: Update, context: PaperContext) -> None:
    if not _is_admin(update, context):
        return
    lang = lang_of(update)
    problems = context.state.reload()
    if problems:
        text = t("reload_failed", lang, problems=esc(clip("\n".join(problems), 3500)))
    else:
        lib = context.state.library
        text = t("reload_ok", lang, summary=esc(summary(lib.catalog, lib.keywords)))
    await send(update, context, [Reply(text)])
