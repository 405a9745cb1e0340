"""Builds the python-telegram-bot Application and registers every handler, in run order."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.library import load_library
from bot.locale import t
from bot.settings import Settings, TokenError
from bot.state import BotState, Cooldown
from bot.stats import StatsStore
from bot.stats import default_path as default_stats_path
from bot.store import Store, default_url, guarded
from bot.yamlfile import DataError
from handlers import admin, callbacks, commands, errors, groups, inline, messages, push, readers
from handlers.common import PaperApp, PaperContext

log = logging.getLogger(__name__)

MENU = ("paper", "list", "random", "digest", "saved", "subscribe", "subscriptions", "lang", "help")
PUSH_INTERVAL = 5.0   # seconds between looks for pushes to send


async def on_start(application: PaperApp) -> None:
    """After initialise: the command menu (English, and Chinese for zh users), the analytics
    database, and the job that reloads edited data files."""
    for lang in ("en", "zh"):  # type: Lang
        commands = [BotCommand(name, t(f"cmd_{name}", lang)) for name in MENU]
        await application.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
    state: BotState = application.bot_data["state"]
    if state.stats is not None:
        await state.stats.open()
    if state.store is not None:
        await state.store.open()
        await guarded("settling pushes a stopped replica left", state.store.settle_stale())
    if application.job_queue is not None:
        application.job_queue.run_repeating(push.push_job, interval=PUSH_INTERVAL, first=PUSH_INTERVAL,
                                            name="push-new-papers")
    if application.job_queue is not None and state.settings.reload_interval > 0:
        application.job_queue.run_repeating(admin.watch_files, interval=state.settings.reload_interval,
                                            first=state.settings.reload_interval, name="watch-data-files")


async def on_stop(application: PaperApp) -> None:
    state: BotState = application.bot_data["state"]
    if state.stats is not None:
        await state.stats.close()
    if state.store is not None:
        await state.store.close()


def build_application(state: BotState, token: str, *, request: BaseRequest | None = None,
                      rate_limit: bool = True) -> PaperApp:
    builder = (ApplicationBuilder().token(token)
               .context_types(ContextTypes(context=PaperContext))
               .defaults(Defaults(parse_mode=ParseMode.HTML,
                                  link_preview_options=LinkPreviewOptions(is_disabled=True)))
               .concurrent_updates(True)
               .post_init(on_start)
               .post_shutdown(on_stop))
    if state.settings.telegram_api_base_url:
        builder = builder.base_url(state.settings.telegram_api_base_url)
        file_url = state.settings.base_file_url()
        if file_url:
            builder = builder.base_file_url(file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limit:
        # Telegram's flood limits; a 429 retry_after is waited out and retried.
        builder = builder.rate_limiter(PatientRateLimiter(max_retries=3))  # type: ignore[arg-type]
    app: PaperApp = builder.build()
    app.bot_data["state"] = state

    # Only new messages: an edit or a channel post would make the bot answer twice or in a
    # place nobody asked it to.
    new = filters.UpdateType.MESSAGE
    # Before every handler (its own group): the reader's /lang choice from the store.
    app.add_handler(TypeHandler(Update, readers.load_language), group=-1)
    # Admin commands first, so /reload is never taken for a search.
    app.add_handler(CommandHandler("reload", admin.reload_command, filters=new))
    app.add_handler(CommandHandler("stats", admin.stats_command, filters=new))
    # User commands; `/paper@YourBot medusa` works too (the filter checks the bot's username).
    app.add_handler(CommandHandler("start", commands.start, filters=new))
    app.add_handler(CommandHandler("help", commands.help_command, filters=new))
    app.add_handler(CommandHandler(["paper", "p"], commands.paper, filters=new))
    app.add_handler(CommandHandler("list", commands.list_command, filters=new))
    app.add_handler(CommandHandler("random", commands.random_paper, filters=new))
    app.add_handler(CommandHandler("digest", commands.digest, filters=new))
    # Readers' own state: saves, follows, language, privacy.
    app.add_handler(CommandHandler("saved", readers.saved_command, filters=new))
    app.add_handler(CommandHandler(["subscribe", "follow"], readers.subscribe_command, filters=new))
    app.add_handler(CommandHandler("subscriptions", readers.subscriptions_command, filters=new))
    app.add_handler(CommandHandler(["unsubscribe", "unfollow"], readers.unsubscribe_command, filters=new))
    app.add_handler(CommandHandler("lang", readers.lang_command, filters=new))
    app.add_handler(CommandHandler("forget", readers.forget_command, filters=new))
    app.add_handler(CommandHandler("privacy", readers.privacy_command, filters=new))
    # Plain text: keywords, questions, search.
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, messages.text_message))
    # Last among messages: a command none of the above knows, in a private chat.
    app.add_handler(MessageHandler(new & filters.COMMAND & filters.ChatType.PRIVATE, commands.unknown_command))
    app.add_handler(CallbackQueryHandler(callbacks.button))
    app.add_handler(InlineQueryHandler(inline.inline_query))
    app.add_handler(ChatMemberHandler(groups.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(errors.error_handler)
    return app


class PatientRateLimiter(AIORateLimiter):
    """Telegram's flood limits (a 429's retry_after is waited out and the call retried), and a
    couple of retries, with backoff, of server errors (5xx) and dropped connections.

    Timeouts are not retried: the request may have gone through, and a message must not be
    sent twice. Bad requests are not retried either: they would fail the same way again.
    """

    SERVER_RETRIES = 2

    async def process_request(self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: Any,
                              rate_limit_args: Any) -> Any:
        for attempt in range(self.SERVER_RETRIES + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:
                if attempt == self.SERVER_RETRIES:
                    raise
                log.warning("%s failed (%s); retrying", endpoint, exc)
                await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")


class RedactToken(logging.Filter):
    """Replace the bot token in every log record: PTB logs its API URLs at DEBUG, token included."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.secrets = [token, token.partition(":")[2]]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret and secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "<token>") if secret else message
            record.msg, record.args = message, None
        return True


def configure_logging(level: str, token: str = "") -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level.upper())
    # httpx logs every request URL, and the URL carries the token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if token:
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactToken(token))


def new_state(settings: Settings, *, stats_path: Path | None = None, database_url: str | None = None) -> BotState:
    """The state of one bot; the store at `database_url`, else DATABASE_URL, else in memory
    (`paperbot run` passes the embedded default file)."""
    path = stats_path or settings.stats_db
    stats = StatsStore(path, store_users=settings.stats_store_users) if path else None
    store = Store(database_url or settings.database_url or "sqlite:///:memory:")
    return BotState(settings, load_library(settings), cooldown=Cooldown(settings.keyword_cooldown), stats=stats,
                    store=store)


def run_bot(settings: Settings) -> int:
    try:
        token = settings.token()
    except TokenError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, token)
    try:
        state = new_state(settings, stats_path=settings.stats_db or default_stats_path(),
                          database_url=settings.database_url or default_url())
    except DataError as exc:
        log.error("the data files are invalid:\n%s", exc)
        return 1
    app = build_application(state, token)
    allowed = Update.ALL_TYPES
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        # Telegram posts to WEBHOOK_URL; the local server listens on the same path behind the proxy.
        path = urlparse(settings.webhook_url).path.strip("/")
        app.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port, url_path=path,
                        secret_token=secret, webhook_url=settings.webhook_url, allowed_updates=allowed)
    else:
        app.run_polling(allowed_updates=allowed)
    return 0
