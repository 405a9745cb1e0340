"""What one running bot holds: its settings, the Library it serves, and small bits of memory
(keyword cooldowns, built bundles, Telegram file_ids). One per Application, never global."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from bot.catalog.bundle import Bundle, build_bundle_parts
from bot.catalog.schema import Paper
from bot.catalog.yamlfile import DataError
from bot.conversation.follow import Pacer, Patience, collected, deliveries, new_papers
from bot.conversation.library import Library, compile_library, load_library
from bot.conversation.understand import ChatContext
from bot.memo import Memo, OneRead
from bot.settings import Settings
from bot.store.records import Subscription, guarded
from bot.store.stats import StatsStore
from bot.workers import run_in_worker

if TYPE_CHECKING:
    from bot.store.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Cooldown:
    """A keyword rule fires at most once per chat per `seconds` (groups only)."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    _last: dict[tuple[int, str], float] = field(default_factory=dict)

    def allow(self, chat_id: int, rule_id: str) -> bool:
        now = self.clock()
        last = self._last.get((chat_id, rule_id))
        if last is not None and now - last < self.seconds:
            return False
        if len(self._last) > 10_000:  # forget old chats rather than grow without bound
            self._last = {k: v for k, v in self._last.items() if now - v < self.seconds}
        self._last[(chat_id, rule_id)] = now
        return True

    def fired_within(self, chat_id: int, rule_id: str) -> bool:
        """This process fired the rule in this chat within the window (no need to ask the store)."""
        last = self._last.get((chat_id, rule_id))
        return last is not None and self.clock() - last < self.seconds


@dataclass
class BotState:
    settings: Settings
    library: Library
    rng: random.Random = field(default_factory=random.Random)
    cooldown: Cooldown = field(default_factory=lambda: Cooldown(60.0))
    bundles: dict[str, Bundle] = field(default_factory=dict)
    file_ids: dict[str, str] = field(default_factory=dict)
    stats: StatsStore | None = None
    store: Store | None = None
    push_pacer: Pacer | None = None   # one pace for every push run of this replica
    push_patience: Patience = field(default_factory=Patience)   # pushes of papers this replica has not loaded yet
    journal_replay: bool = False      # `paperbot run` replays unhandled journalled updates; chat/ask do not
    started: float = field(default_factory=time.time)
    clock: Callable[[], float] = time.time   # the wall clock roundups' periods are read on (tests set it)
    # Bounded per-chat and per-reader memory (PTB's chat_data and user_data never forget a chat).
    contexts: Memo[int, ChatContext] = field(init=False)
    languages: Memo[int, str] = field(init=False)          # a reader's /lang: zh | en | auto
    saved: Memo[int, frozenset[str]] = field(init=False)   # a reader's ⭐, re-read each minute (replicas)
    language_reads: OneRead[int, str] = field(init=False)       # the reads filling those two, one per reader
    saved_reads: OneRead[int, frozenset[str]] = field(init=False)
    seen_files: tuple[tuple[str, int, int], ...] = ()
    failed_files: tuple[tuple[str, int, int], ...] | None = None   # a version whose reload broke, reported once
    unlogged: tuple[str, ...] = ()    # new papers whose pushes and roundups the store has not taken yet

    def __post_init__(self) -> None:
        self.seen_files = self.file_signature()
        size, ttl = self.settings.memory_chats, self.settings.memory_ttl
        self.contexts, self.languages = Memo(size, ttl), Memo(size, ttl)
        self.saved = Memo(size, min(ttl, 60.0))
        self.language_reads, self.saved_reads = OneRead(self.languages), OneRead(self.saved)

    def file_signature(self) -> tuple[tuple[str, int, int], ...]:
        """(path, mtime, size) of every served data file: changes when any of them is edited."""
        out = []
        for path in (self.settings.catalog, self.settings.keywords, self.settings.digests):
            try:
                st = path.stat()
                out.append((str(path), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(path), -1, -1))
        return tuple(out)

    async def refresh(self, *, force: bool = False) -> list[str] | None:
        """Reload when the files changed (or when forced), off the event loop.

        None: nothing changed. []: the new version is served. Otherwise the problems, and
        the last good version keeps being served; queries meanwhile use the old index.
        A broken file waits for its next edit; a reload that broke for any other reason (no
        worker, no memory, a cache another replica was writing) is tried again at the next
        check, and reported once.
        """
        signature = self.file_signature()
        if not force and signature == self.seen_files:
            await self.log_new_papers()
            return None
        previous, self.seen_files = self.seen_files, signature
        try:
            try:
                await compile_in_worker(self.settings)
            except OSError as exc:  # no worker process to be had here (process limits, no /dev/shm)
                log.warning("reload worker unavailable (%s); compiling in this process", exc)
            # Maps what the worker wrote (without a worker: parses and builds here, as before).
            library = await asyncio.to_thread(load_library, self.settings)
        except DataError as exc:
            log.warning("reload refused, still serving the last good version:\n%s", exc)
            return [str(p) for p in exc.problems]
        except (MemoryError, OSError, RecursionError, ValueError, BrokenProcessPool) as exc:
            self.seen_files = previous
            reported, self.failed_files = self.failed_files == signature, signature
            log.warning("reload failed, still serving the last good version (trying again at the next check): "
                        "%s: %s", type(exc).__name__, exc)
            return None if reported and not force else [f"reload failed: {type(exc).__name__}: {exc}"]
        old, self.library, self.failed_files = self.library, library, None
        log.info("reloaded: %d papers, version %s", len(library.catalog), library.version)
        if self.store is not None:
            fresh = tuple(p.id for p in new_papers(old.catalog, library.catalog))
            self.unlogged = tuple(dict.fromkeys(self.unlogged + fresh))
            await self.log_new_papers()
        return []

    async def log_new_papers(self) -> int:
        """Log a push of each new paper to every chat with a matching follow, and keep it for the
        roundups of daily and weekly follows (each once, whichever replica gets there first; the
        push job sends them). Until the store has taken them all, they are tried again at every
        check: a store that was down or slow at the reload loses no push."""
        if not self.unlogged or self.store is None:
            return 0
        library = self.library
        papers = [p for p in map(library.catalog.get, self.unlogged) if p is not None]  # still in the catalog
        curated = {t.id for t in library.topics}
        try:
            subs = await within_job(self.store.all_subscriptions())
            pairs = await asyncio.to_thread(deliveries, subs, papers, library.index, curated)
            added = await within_job(self.store.enqueue(pairs))
            await self.collect_roundups(subs, papers, library)
        except Exception as exc:  # the store is down or slow: these papers wait for the next check
            log.warning("store: logging pushes of %d new paper(s) failed (%s: %s); trying again at the next check",
                        len(papers), type(exc).__name__, exc)
            return 0
        self.unlogged = ()
        log.info("%d new paper(s): %d push(es) to %d chat(s) logged", len(papers), added, len({c for c, _ in pairs}))
        return int(added)

    def now(self) -> float:
        """The time roundups are collected and sent by (PAPERBOT_CLOCK_OFFSET moves it, for trying one out)."""
        return self.clock() + self.settings.clock_offset

    async def collect_roundups(self, subs: list[Subscription], fresh: list[Paper], new: Library) -> int:
        """Keep each new paper for the next roundup of every daily or weekly follow it matches."""
        if self.store is None:
            return 0
        items = await asyncio.to_thread(collected, subs, fresh, new.index, {t.id for t in new.topics})
        if not items:
            return 0
        added = await within_job(self.store.roundups.collect(items, self.now()))
        log.info("%d paper(s) kept for %d roundup(s)", added, len({f for f, _ in items}))
        return int(added)

    async def cooldown_allows(self, chat_id: int, rule_id: str) -> bool:
        """The keyword cooldown, shared by every replica through the store (this process's own
        memory when the store is unreachable). No cooldown (0 s): nothing to share, no store write."""
        if self.store is not None and self.cooldown.seconds > 0:
            if self.cooldown.fired_within(chat_id, rule_id):   # a busy group costs no store write per message
                return False
            allowed = await guarded("keyword cooldown", self.store.cooldown_allows(
                chat_id, rule_id, self.cooldown.seconds))
            if allowed is not None:
                if allowed:
                    self.cooldown.allow(chat_id, rule_id)
                return bool(allowed)
        return self.cooldown.allow(chat_id, rule_id)

    def bundle(self, digest_id: str) -> tuple[str, Bundle]:
        """The bundle for the current library version and PDF folder, built once per version.

        The key changes when a data file or a PDF changes, so Telegram file_ids cached under
        it never send an old zip.
        """
        pdfs = self.settings.bundle_dir
        listing = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in pdfs.glob("*.pdf")) \
            if pdfs.is_dir() else []
        key = f"{self.library.version}:{digest_id}:{hash(tuple(listing)) & 0xFFFFFFFF:08x}"
        if key not in self.bundles:
            limit = int(self.settings.upload_limit_mb * 1_000_000)
            self.bundles = {key: build_bundle_parts(self.library.catalog, self.library.digest(digest_id), pdfs,
                                                    limit, f"{digest_id}-papers")}
        return key, self.bundles[key]

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids


async def within_job(action: Awaitable[T]) -> T:
    """A store call of a job no reader waits on: TimeoutError past 30 s (the job tries again
    later). Never cancelled midway (see `guarded`): it finishes on its own."""
    return await asyncio.wait_for(asyncio.shield(action), 30.0)


async def compile_in_worker(settings: Settings) -> None:
    """`compile_library` in a fresh worker process (`bot.workers`), waited for off the event
    loop; its DataError comes back as it was raised."""
    await asyncio.to_thread(run_in_worker, compile_library, settings)
