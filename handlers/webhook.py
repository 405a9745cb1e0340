"""The webhook receiver: refuses before it reads, journals before it answers 200.

python-telegram-bot's own webhook server reads a whole request body (up to 100 MB) before it
checks the secret, so anyone could make the bot buffer gigabytes. This one streams the body:
the secret header and the declared length are checked first (a refused body is dropped as it
arrives, never kept; one declared over MAX_BODY is refused unread with 413), the body may not
grow past MAX_BODY, malformed JSON is a 400. An accepted update is written to the
store's journal before Telegram gets its 200, marked done once handled, and replayed at start
if a stop (or a crash) came between the two, so no accepted update is lost. In polling mode the
same journal is written before the next getUpdates confirms the offset.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import tornado.web
from telegram import Update

from bot.store.records import guarded
from handlers.common import PaperApp, PaperContext

if TYPE_CHECKING:
    from bot.store.store import Store

log = logging.getLogger(__name__)
MAX_BODY = 1 << 20   # Telegram's updates are a few kB; 1 MB is generous


@tornado.web.stream_request_body
class WebhookHandler(tornado.web.RequestHandler):
    def initialize(self, app: PaperApp, secret: str | None, store: Store | None) -> None:
        self.app = app
        self.secret = secret
        self.store = store
        self.body = bytearray()
        self.refused: HTTPStatus | None = None

    def prepare(self) -> None:
        """Headers only, nothing of the body read yet."""
        if self.request.method != "POST":
            raise tornado.web.HTTPError(HTTPStatus.METHOD_NOT_ALLOWED)
        if self.secret is not None:
            given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                # Its (at most MAX_BODY) body is read and dropped, never kept: closing the
                # connection unread would reset it before the 403 reached the sender.
                self.refused = HTTPStatus.FORBIDDEN
        length = self.request.headers.get("Content-Length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        if self.request.connection is not None:
            self.request.connection.set_max_body_size(MAX_BODY)  # type: ignore[attr-defined]

    def data_received(self, chunk: bytes) -> None:
        if self.refused is not None:
            return
        self.body += chunk
        if len(self.body) > MAX_BODY:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    async def post(self) -> None:
        if self.refused is not None:
            raise tornado.web.HTTPError(self.refused)
        try:
            data = json.loads(bytes(self.body))
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.info("webhook: refused a body that is no update (%s)", type(exc).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if update is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        await self.app.update_queue.put(update)  # a JournalQueue: durable before Telegram hears "200"
        self.set_status(HTTPStatus.OK)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            log.debug("webhook: %s", value.status_code)
        else:
            log.warning("webhook: %s: %s", typ.__name__ if typ else "error", value)


def webhook_app(app: PaperApp, path: str, secret: str | None, store: Store | None) -> tornado.web.Application:
    return tornado.web.Application([(rf"/{path.strip('/')}/?", WebhookHandler,
                                     {"app": app, "secret": secret, "store": store})], log_function=lambda _: None)


class JournalQueue(asyncio.Queue[object]):
    """The application's update queue, journalling each update as it is queued: in webhook mode
    before the 200, in polling mode before the next getUpdates confirms its offset to Telegram.
    Either way an update Telegram counts as delivered is in the store until it is handled."""

    def __init__(self, store: Store | None) -> None:
        super().__init__()
        self.store = store

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self.store is not None:
            await guarded("journalling an update", self.store.journal.accept(item.update_id, item.to_json()))
        await super().put(item)


async def mark_handled(update: object, context: PaperContext) -> None:
    """After every other handler (the last group): the journal entry is done."""
    store = context.state.store
    if isinstance(update, Update) and store is not None:
        await guarded("closing a journal entry", store.journal.done(update.update_id))


async def replay_unfinished(app: PaperApp, store: Store, before: float | None = None) -> int:
    """Updates accepted but never handled (a stop or a crash in between): handle them now.
    `before`: only those journalled before that moment (this process's start)."""
    claim = store.journal.claim_unfinished(before=before)
    rows = await guarded("reading the update journal", claim, [])
    for body in rows:
        try:
            update = Update.de_json(json.loads(body), app.bot)
        except (ValueError, TypeError, KeyError):
            continue
        if update is not None:
            await app.update_queue.put(update)
    if rows:
        log.info("replaying %d accepted update(s) that were not handled before the last stop", len(rows))
    return len(rows)
