"""JobQueue job: the SQLite store's file checked every few seconds; the admins told once when it
was removed or replaced (its directory deleted), from which point saves and follows are refused
(bot/store/engine.py) instead of confirmed into a deleted file."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.render.html import esc
from bot.render.locale import t
from handlers.common import PaperContext

log = logging.getLogger(__name__)


async def watch_store(context: PaperContext) -> None:
    store = context.state.store
    job = context.job
    if store is None or job is None or not isinstance(job.data, dict) or job.data.get("told"):
        return
    problem = store.db.check()
    if problem is None:
        return
    job.data["told"] = True
    for admin in context.state.settings.admin_ids:
        try:
            await context.bot.send_message(admin, t("store_gone", "en", problem=esc(problem)))
        except TelegramError as exc:
            log.warning("could not tell admin %s that the store is gone: %s", admin, exc)
