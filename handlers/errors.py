"""Log every failed update with what it was; never let one bad update stop the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.common import PaperContext
from handlers.journal import AlreadyAnswered

log = logging.getLogger(__name__)


async def error_handler(update: object, context: PaperContext) -> None:
    error = context.error
    # A failed update is done too (its journal row is closed after the handlers): replaying it
    # could send a reply Telegram already has, and a poisonous one would fail forever.
    if isinstance(error, AlreadyAnswered):
        log.info("not answering again: %s", error)
        return
    summary = update.to_dict() if isinstance(update, Update) else repr(update)
    if isinstance(error, (RetryAfter, TimedOut, NetworkError, Forbidden)):
        log.warning("Telegram call failed (%s: %s) for update %s", type(error).__name__, error, summary)
        return
    log.error("update %s failed", summary, exc_info=error)
