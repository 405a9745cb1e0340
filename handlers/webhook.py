"""The webhook receiver: refuses before it reads, journals before it answers 200.

python-telegram-bot's own webhook server reads a whole request body (up to 100 MB) before it
checks the secret, so anyone could make the bot buffer gigabytes. This one streams the body:
the secret header and the declared length are checked first (a refused body is dropped as it
arrives, never kept; one declared over MAX_BODY is refused unread with 413), the body may not
grow past MAX_BODY, malformed JSON is a 400. An accepted update is written to the
store's journal before Telegram gets its 200 (a 503 when the store cannot keep it: Telegram
sends it again); see handlers/journal.py.
"""

from __future__ import annotations

import hmac
import json
import logging
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update

from handlers.common import PaperApp
from handlers.journal import JournalQueue

log = logging.getLogger(__name__)
MAX_BODY = 1 << 20   # Telegram's updates are a few kB; 1 MB is generous


@tornado.web.stream_request_body
class WebhookHandler(tornado.web.RequestHandler):
    def initialize(self, app: PaperApp, secret: str | None) -> None:
        self.app = app
        self.secret = secret
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
            if not isinstance(data, dict):   # JSON, but no update: `[]`, `1`, `"x"`
                raise TypeError("not an object")
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.info("webhook: refused a body that is no update (%s)", type(exc).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if update is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        queue = self.app.update_queue
        if not isinstance(queue, JournalQueue):
            await queue.put(update)
        elif not await queue.put_durable(update, json.dumps(data)):
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            log.debug("webhook: %s", value.status_code)
        else:
            log.warning("webhook: %s: %s", typ.__name__ if typ else "error", value)


def webhook_app(app: PaperApp, path: str, secret: str | None) -> tornado.web.Application:
    return tornado.web.Application([(rf"/{path.strip('/')}/?", WebhookHandler,
                                     {"app": app, "secret": secret})], log_function=lambda _: None)
