"""Builds the python-telegram-bot Application and registers every handler, in run order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseRateLimiter,
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

from bot.catalog.yamlfile import DataError
from bot.conversation.library import Library, load_library
from bot.render.locale import t
from bot.settings import Settings, TokenError
from bot.store.records import guarded
from bot.store.stats import StatsStore
from bot.store.stats import default_path as default_stats_path
from bot.telegram.state import BotState, Cooldown
from handlers import (
    admin,
    callbacks,
    commands,
    errors,
    foryou,
    groups,
    inline,
    journal,
    messages,
    push,
    readers,
    roundups,
    store_watch,
)
from handlers.common import PaperApp, PaperContext

log = logging.getLogger(__name__)

MENU = ("paper", "list", "random", "digest", "saved", "foryou", "subscribe", "subscriptions", "tz", "lang", "help")
STORE_CHECK = 1.0     # seconds between looks at the SQLite store's file (a stat)
# Updates handled at once. An answer is CPU (tens of ms on a loaded core); with PTB's 256, a
# backlog puts hundreds of them in the event loop's ready queue, where every store commit's
# callbacks (a reply's `answered` mark) and every reply's HTTP response wait behind them:
# seconds in which a kill finds replies Telegram received and the journal does not know of
# (benchmarks/faults.py, 200 updates at once: from a reply's first request to its mark p50
# 2.6 s at 16, 0.1-0.26 s at 4, and the backlog drained as fast). The rest wait in the update
# queue, accepted and journalled, not half-answered in the loop.
CONCURRENT_UPDATES = 4


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
        from bot.store.opening import open_with_retry

        await open_with_retry(state.store)
        await guarded("settling pushes a stopped replica left", state.store.settle_stale())
        if state.journal_replay:
            # Alive from now on; then the updates dead processes accepted and did not answer,
            # queued before polling or the webhook bring anything new.
            await guarded("writing a heartbeat", state.store.owners.beat())
            await journal.replay_dead(application, state.store)
    if application.job_queue is not None:
        every = state.settings.push_interval
        application.job_queue.run_repeating(push.push_job, interval=every, first=every, name="push-new-papers")
        # Roundups look as often as pushes: a period that ended is sent within seconds of its end.
        application.job_queue.run_repeating(roundups.roundup_job, interval=every, first=min(1.0, every),
                                            name="send-roundups")
        if state.store is not None and state.journal_replay:
            from bot.store.owners import HEARTBEAT  # SQLAlchemy, only where a store is open

            # The heartbeat keeps this process's updates its own; a replica that died meanwhile
            # leaves its updates to whoever beats next.
            application.job_queue.run_repeating(heartbeat_job, interval=HEARTBEAT, first=HEARTBEAT,
                                                name="journal-heartbeat")
            application.job_queue.run_repeating(store_watch.watch_store, interval=STORE_CHECK, first=STORE_CHECK,
                                                name="store-watch", data={"told": False})
    if application.job_queue is not None and state.settings.reload_interval > 0:
        application.job_queue.run_repeating(admin.watch_files, interval=state.settings.reload_interval,
                                            first=state.settings.reload_interval, name="watch-data-files")


async def on_stop(application: PaperApp) -> None:
    state: BotState = application.bot_data["state"]
    if state.stats is not None:
        await state.stats.close()
    if state.store is not None:
        if state.journal_replay:   # drained: what is left in the journal is anyone's at once
            await state.store.journal.flush()
            journal.report(application)
            await guarded("leaving the journal", state.store.owners.leave())
        await state.store.close()


def build_application(state: BotState, token: str, *, request: BaseRequest | None = None,
                      rate_limit: bool = True) -> PaperApp:
    builder = (ApplicationBuilder().token(token)
               .context_types(ContextTypes(context=PaperContext))
               .defaults(Defaults(parse_mode=ParseMode.HTML,
                                  link_preview_options=LinkPreviewOptions(is_disabled=True)))
               .concurrent_updates(CONCURRENT_UPDATES)
               .application_class(journal.JournalledApplication)
               .update_queue(journal.JournalQueue(state.store if state.journal_replay else None))
               .post_init(on_start)
               .post_shutdown(on_stop))
    if state.settings.telegram_api_base_url:
        builder = builder.base_url(state.settings.telegram_api_base_url)
        file_url = state.settings.base_file_url()
        if file_url:
            builder = builder.base_file_url(file_url)
    # Made only when the bot talks to a Bot API over HTTP: each HTTP client loads the system's
    # CA bundle (0.15 s and more), which the local backend of `chat` and `ask` never needs.
    settling: journal.SettlingRequest | None = None
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        settling = journal.SettlingRequest(connection_pool_size=1)
        builder = builder.get_updates_request(settling)
    # Telegram's flood limits (a 429 retry_after is waited out and retried) and, either way, the
    # journal's word just before each request.
    limiter = PatientRateLimiter(max_retries=3) if rate_limit else JournalGate()
    builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    app: PaperApp = builder.build()
    queue = app.update_queue if isinstance(app.update_queue, journal.JournalQueue) else None
    limiter.queue = queue
    if settling is not None:
        settling.queue = queue
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
    app.add_handler(CommandHandler(["foryou", "recommend"], foryou.foryou_command, filters=new))
    app.add_handler(CommandHandler(["subscribe", "follow"], readers.subscribe_command, filters=new))
    app.add_handler(CommandHandler("subscriptions", readers.subscriptions_command, filters=new))
    app.add_handler(CommandHandler(["unsubscribe", "unfollow"], readers.unsubscribe_command, filters=new))
    app.add_handler(CommandHandler("tz", readers.tz_command, filters=new))
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


class JournalGate(BaseRateLimiter[Any]):
    """No flood limits (the local backend), only the journal's word before each request."""

    queue: journal.JournalQueue | None = None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: Any,
                              rate_limit_args: Any) -> Any:
        return await journal.call(self.queue, endpoint, callback, *args, **kwargs)


class PatientRateLimiter(AIORateLimiter):
    """Telegram's flood limits (a 429's retry_after is waited out and the call retried), and a
    couple of retries, with backoff, of server errors (5xx) and dropped connections.

    Timeouts are not retried: the request may have gone through, and a message must not be
    sent twice. Bad requests are not retried either: they would fail the same way again.
    """

    SERVER_RETRIES = 2
    queue: journal.JournalQueue | None = None

    async def process_request(self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: Any,
                              rate_limit_args: Any) -> Any:
        async def gated(*a: Any, **kw: Any) -> Any:
            # After the flood limits' wait, right before the request: the journal decides here.
            return await journal.call(self.queue, endpoint, callback, *a, **kw)

        for attempt in range(self.SERVER_RETRIES + 1):
            try:
                return await super().process_request(gated, args, kwargs, endpoint, data, rate_limit_args)
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:
                if attempt == self.SERVER_RETRIES:
                    raise
                log.warning("%s failed (%s); retrying", endpoint, exc)
                await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")


def secrets_of(settings: Settings, token: str) -> list[str]:
    """Every secret that must never reach a log: the token and its secret half, the webhook
    secret, and the password inside DATABASE_URL. Longest first, so a part never hides a whole."""
    found = [token, token.partition(":")[2]]
    if settings.webhook_secret:
        found.append(settings.webhook_secret.get_secret_value())
    if settings.database_url:
        password = urlparse(settings.database_url).password
        if password:
            found.append(password)
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


# The webhook secret as a request parameter (PTB's DEBUG line of setWebhook), whatever its length:
# a secret too short to be replaced wherever it occurs is still replaced here.
_SECRET_PARAMETER = re.compile(r"""(['"]secret_token['"]\s*:\s*)(['"])(?:(?!\2).)*\2""")


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "<redacted>")
    return _SECRET_PARAMETER.sub(r"\1'<redacted>'", text) if "secret_token" in text else text


class RedactingFormatter(logging.Formatter):
    """Formats a record, traceback and exception text included, then removes every secret:
    a bad base URL puts the token into an exception's message, not only into log arguments."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        text = redact(super().format(record), self.secrets)
        # A 10 MB update logged at DEBUG helps nobody: long lines are cut, saying by how much.
        return text if len(text) <= MAX_LOG_LINE else f"{text[:MAX_LOG_LINE]}… ({len(text):,} characters)"


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_LOG_LINE = 4000


def configure_logging(level: str, secrets: list[str] | None = None) -> None:
    logging.basicConfig(format=LOG_FORMAT, level=level.upper())
    # httpx logs every request URL, and the URL carries the token; the JobQueue's scheduler
    # logs two lines per run of every job.
    # aiosqlite logs two DEBUG lines per database call, which slows every store call to a crawl
    # (the journal's marks with it) when PAPERBOT_LOG_LEVEL=DEBUG.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    secrets = secrets or []
    for handler in logging.getLogger().handlers:
        handler.setFormatter(RedactingFormatter(LOG_FORMAT, secrets))

    def excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        import traceback

        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb)), secrets))

    sys.excepthook = excepthook  # an uncaught exception's traceback is redacted too


def new_state(settings: Settings, *, stats_path: Path | None = None, database_url: str | None = None,
              with_store: bool = True, stats_in_store: bool = False, library: Library | None = None) -> BotState:
    """The state of one bot; the store at `database_url`, else DATABASE_URL, else in memory
    (`paperbot run` passes the embedded default file). `library`: one already loaded (a benchmark's
    fresh chats over one served version), else the settings' files are loaded."""
    path = stats_path or settings.stats_db
    stats = StatsStore(path, store_users=settings.stats_store_users) if path else None
    if stats is None and stats_in_store and database_url:  # several replicas: one analytics table
        stats = StatsStore(url=database_url, store_users=settings.stats_store_users)
    store = None
    if with_store:
        from bot.store.store import Store  # SQLAlchemy loads only where a store is wanted

        store = Store(database_url or settings.database_url or "sqlite:///:memory:")
    return BotState(settings, library or load_library(settings), cooldown=Cooldown(settings.keyword_cooldown), stats=stats,
                    store=store)


def run_bot(settings: Settings) -> int:
    try:
        token = settings.token()
    except TokenError as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, secrets_of(settings, token))
    problem = settings.webhook_secret_problem()
    if problem:
        print(f"paperbot: {problem}", file=sys.stderr)
        return 2
    try:
        from bot.store.engine import default_url

        shared = settings.database_url is not None and settings.stats_db is None
        state = new_state(settings, stats_path=None if shared else settings.stats_db or default_stats_path(),
                          database_url=settings.database_url or default_url(), stats_in_store=shared)
        state.journal_replay = True
    except DataError as exc:
        log.error("the data files are invalid:\n%s", exc)
        return 1
    app = build_application(state, token)
    allowed = Update.ALL_TYPES
    try:
        if settings.webhook_url:
            asyncio.run(serve_webhook(app, state, allowed))
        else:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            stop_once(loop)
            # An unreachable Bot API at start is retried (PTB logs each attempt); a wrong token is not.
            app.run_polling(allowed_updates=allowed, bootstrap_retries=-1, stop_signals=None)
    except InvalidToken:
        log.error("Telegram refused the bot token (401/404 from getMe): check TELEGRAM_BOT_TOKEN")
        return 1
    except Exception as exc:
        from bot.store.opening import StoreRefused

        if not isinstance(exc, StoreRefused):
            raise
        log.error("%s: check DATABASE_URL", exc)
        return 1
    return 0


def stop_once(loop: asyncio.AbstractEventLoop) -> None:
    """Polling's stop signals: the first ends whatever phase runs (PTB then stops polling, drains
    the updates in flight and shuts down); a second one during that drain is only logged. PTB's
    own handler raises again, in the middle of the shutdown, and skips the rest of it: the
    analytics' last rows and the journal's leave would be lost."""
    stopping = False

    def on_signal() -> None:
        nonlocal stopping
        if stopping:
            log.info("stop signal again: still finishing the updates in flight")
            return
        stopping = True
        raise SystemExit  # as PTB's handler does: out of run_polling's current phase into its shutdown

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGABRT):
        loop.add_signal_handler(sig, on_signal)


async def initialize_with_retry(app: PaperApp, stop: asyncio.Event) -> bool:
    """getMe until the Bot API answers: one log line per failed attempt, backing off to 30 s.
    A wrong token raises InvalidToken at once; a stop signal meanwhile returns False."""
    delay = 1.0
    attempt = 1
    while not stop.is_set():
        try:
            await app.initialize()
            return True
        except (NetworkError, TimedOut) as exc:
            log.warning("the Bot API is unreachable (attempt %d: %s); retrying in %.0f s", attempt, exc, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay, attempt = min(delay * 2, 30.0), attempt + 1
    return False


async def serve_webhook(app: PaperApp, state: BotState, allowed: list[str]) -> None:
    """Webhook mode: our own receiver (see handlers/webhook.py), the journal replayed at start,
    and a drain of in-flight updates on SIGTERM/SIGINT."""
    import tornado.httpserver

    from handlers.webhook import MAX_BODY, webhook_app

    settings = state.settings
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not await initialize_with_retry(app, stop):
        return
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    path = urlparse(settings.webhook_url or "").path
    server = tornado.httpserver.HTTPServer(webhook_app(app, path, secret),
                                           max_body_size=MAX_BODY, max_buffer_size=MAX_BODY)
    try:
        await on_start(app)
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        await app.bot.set_webhook(settings.webhook_url or "", secret_token=secret, allowed_updates=allowed)
        await app.start()
        log.info("serving the webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
        await stop.wait()
        log.info("stop signal: finishing the updates in flight")
    finally:
        server.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.close_all_connections(), settings.drain_timeout)
        if app.running:
            try:
                await asyncio.wait_for(app.stop(), settings.drain_timeout)
            except TimeoutError:
                log.warning("updates still in flight after %.0f s; the journal replays them at the next start",
                            settings.drain_timeout)
        await app.shutdown()
        await on_stop(app)


async def heartbeat_job(context: PaperContext) -> None:
    store = context.state.store
    if store is not None:
        await guarded("writing a heartbeat", store.owners.beat())
        await journal.replay_dead(context.application, store)
