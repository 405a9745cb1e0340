"""The update journal: an accepted update is kept until it is handled, so a stop or a crash in
between loses nothing, and nothing is answered twice.

- An update belongs to the process that accepted it (`owner`); only a dead owner's rows are
  replayed (bot.store.owners says who is alive), so updates still queued in a live process are
  never taken, and a replayer's claim (`replaying`) dies with the replayer.
- `answer(update_id)` is asked before the first request of an update's reply: only the row's
  owner may send it (a process whose rows were taken, after a freeze outlasted its lease, sends
  nothing), and the row becomes `answering` in that same statement. `answered(update_id)` marks
  it once the first request has gone out: a replay after a crash deletes answered rows and
  sends the rest. A kill between Telegram receiving a reply and that mark's commit is the one
  way left to answer twice (a row still `answering` cannot tell a reply received from one lost
  on the way without asking Telegram, so the replay sends it: lost never, twice at worst);
  `in_flight()` measures that window, from a reply's first request to its mark's commit.
- Writes are group-committed: accepts, answers and closes arriving within `window` seconds
  share one transaction; each caller's future resolves once its row is durable. A failed
  commit is retried: ATTEMPTS times for an operation someone waits for, until it holds for the
  marks nobody waits for (`answered`, `close`: dropping one would have a replay answer again),
  never into a store that is gone.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from bot.store.engine import Database, StoreGone
from bot.store.owners import Liveness
from bot.store.tables import journal, owners

log = logging.getLogger(__name__)

WINDOW = 0.002       # seconds a group commit waits for company
MAX_BATCH = 2000     # operations per transaction
ATTEMPTS = 3         # a failed commit is retried; then its callers hear the error
WINDOWS_KEPT = 10_000   # replies whose in-flight window is kept for `in_flight()`

OpKind = Literal["accept", "answer", "answered", "close"]


@dataclass
class _Op:
    kind: OpKind
    update_id: int
    body: str = ""
    future: asyncio.Future[bool] | None = None
    at: float = field(default_factory=time.time)
    attempts: int = 0
    since: float | None = None   # `answered`: when the reply's first request went (monotonic)


class Journal:
    def __init__(self, db: Database, owner: str, *, window: float = WINDOW) -> None:
        self.db = db
        self.owner = owner
        self.window = window
        self._pending: list[_Op] = []
        self._unsettled: set[asyncio.Future[bool]] = set()
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None   # nothing pending, nothing being committed
        self._task: asyncio.Task[None] | None = None
        self.commits = 0   # transactions, for the benchmark
        # Seconds from a reply's first request to its `answered` mark's commit: the window in
        # which a kill leaves a reply Telegram may have received in a row a replay sends again.
        self.windows: collections.deque[float] = collections.deque(maxlen=WINDOWS_KEPT)
        self.widest = 0.0

    # --- the writer ---------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._wake, self._idle = asyncio.Event(), asyncio.Event()
            self._idle.set()
            self._task = asyncio.create_task(self._run(), name="journal-writer")

    async def stop(self, deadline: float = 5.0) -> None:
        """Commit what is pending (within `deadline` seconds), then stop the writer."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), deadline)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = self._wake = self._idle = None
        for op in self._pending:
            if op.future is not None and not op.future.done():
                op.future.set_exception(RuntimeError("the journal stopped"))
        self._pending = []

    async def flush(self) -> None:
        """Wait until every operation queued so far is committed (or given up)."""
        if self._idle is not None:
            await self._idle.wait()

    def _queue(self, op: _Op) -> None:
        if self._task is None or self._wake is None or self._idle is None:
            raise RuntimeError("the journal is not started")
        self._pending.append(op)
        self._idle.clear()
        self._wake.set()

    def _future(self) -> asyncio.Future[bool]:
        return asyncio.get_running_loop().create_future()

    async def _run(self) -> None:
        assert self._wake is not None and self._idle is not None
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.window)   # the group: whatever else arrives meanwhile
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            if not self._pending:
                self._wake.clear()
            if batch:
                await self._commit(batch)
            if not self._pending:
                self._idle.set()

    async def _commit(self, batch: list[_Op]) -> None:
        try:
            results = await self._write(batch)
        except Exception as exc:
            gone = isinstance(exc, StoreGone)
            again = [op for op in batch if not gone and (op.future is None or op.attempts + 1 < ATTEMPTS)]
            for op in batch:
                op.attempts += 1
                if (gone or op.attempts >= ATTEMPTS) and op.future is not None and not op.future.done():
                    op.future.set_exception(exc)
            if not gone:   # a store that is gone was said once, by its check
                log.warning("store: the journal's commit failed (%s: %s); %d operation(s) retried",
                            type(exc).__name__, exc, len(again))
            self._pending[:0] = again
            if again and self._wake is not None:
                self._wake.set()
                await asyncio.sleep(0.2)
            return
        self.commits += 1
        now = time.monotonic()
        for op in batch:
            if op.since is not None:
                self.windows.append(now - op.since)
                self.widest = max(self.widest, now - op.since)
        for op, result in zip(batch, results, strict=True):
            if op.future is not None and not op.future.done():
                op.future.set_result(result)

    async def _write(self, batch: list[_Op]) -> list[bool]:
        """One transaction for the batch, in arrival order per update: accept, answer, answered,
        close. Its statements run in one go (`Database.run`): on SQLite the loop is asked once."""
        return await self.db.run(lambda conn: self._statements(conn, batch), write=True)

    def _statements(self, conn: sa.Connection, batch: list[_Op]) -> list[bool]:
        accepts = {op.update_id: op for op in reversed(batch) if op.kind == "accept"}   # the first wins
        answers = {op.update_id for op in batch if op.kind == "answer"}
        closes = {op.update_id for op in batch if op.kind == "close"}
        # A row closed in this same transaction needs no answered mark first.
        sent = {op.update_id for op in batch if op.kind == "answered"} - closes
        inserted: set[int] = set()
        mine: set[int] = set()
        others: set[int] = set()
        if accepts:
            rows = [{"update_id": i, "body": op.body, "status": "accepted", "owner": self.owner, "at": op.at}
                    for i, op in accepts.items()]
            result = conn.execute(self.db.insert(journal).on_conflict_do_nothing()
                                  .returning(journal.c.update_id), rows)
            inserted = {r[0] for r in result}
        if answers:
            result = conn.execute(journal.update().where(
                journal.c.update_id.in_(answers), journal.c.owner == self.owner)
                .values(status="answering").returning(journal.c.update_id))
            mine = {r[0] for r in result}
            if answers - mine:
                found = conn.execute(sa.select(journal.c.update_id).where(
                    journal.c.update_id.in_(answers - mine)))
                others = {r[0] for r in found}
        if sent:
            conn.execute(journal.update().where(journal.c.update_id.in_(sent), journal.c.owner == self.owner)
                         .values(status="answered"))
        if closes:
            conn.execute(journal.delete().where(journal.c.update_id.in_(closes), journal.c.owner == self.owner))
        out = []
        for op in batch:
            if op.kind == "accept":
                out.append(op.update_id in inserted and accepts[op.update_id] is op)
            elif op.kind == "answer":
                out.append(op.update_id in mine or op.update_id not in others)
            else:
                out.append(True)
        return out

    # --- what callers ask -----------------------------------------------------------------

    def accept(self, update_id: int, body: str) -> asyncio.Future[bool]:
        """Journal an accepted update: True once it is durable, False when it was journalled
        before (Telegram's retry, or an update a replay already took)."""
        future = self._future()
        self._unsettled.add(future)
        future.add_done_callback(self._unsettled.discard)
        self._queue(_Op("accept", update_id, body, future))
        return future

    def answer(self, update_id: int) -> asyncio.Future[bool]:
        """May this process send the update's reply? Marks its row answering. False: the row is
        another process's (taken by a replay); True also when the update was never journalled."""
        future = self._future()
        self._queue(_Op("answer", update_id, future=future))
        return future

    def answered(self, update_id: int, since: float | None = None) -> None:
        """The update's first reply went out (its first request at `since`, monotonic): a replay
        must not send it again."""
        self._queue(_Op("answered", update_id, since=since))

    def in_flight(self) -> str:
        """The in-flight window's p50 / p99 / widest in ms, over the latest WINDOWS_KEPT replies."""
        if not self.windows:
            return "no replies"
        ms = sorted(w * 1000 for w in self.windows)

        def at(q: float) -> float:
            return ms[min(len(ms) - 1, int(q * len(ms)))]

        return f"{len(ms)} replies, p50 {at(0.5):.0f} ms, p99 {at(0.99):.0f} ms, widest {self.widest * 1000:.0f} ms"

    def close(self, update_id: int) -> None:
        """The update is handled: its row goes (committed with the next group, not awaited)."""
        self._queue(_Op("close", update_id))

    async def settled(self, timeout: float) -> bool:
        """Wait (at most `timeout` s) until every accept issued so far is durable; True if so."""
        waiting = list(self._unsettled)
        if not waiting:
            return True
        _, late = await asyncio.wait(waiting, timeout=timeout)
        return not late

    async def claim_dead(self, view: Liveness | set[str]) -> list[str]:
        """Take the rows of every owner not alive for this process (oldest first): an answered
        one is only deleted; the others (accepted, answering but not sent, or claimed by a
        replayer that died) are returned to be handled again. With a `Liveness`, an owner is
        judged again in the statement itself: one that has beaten since the read keeps its rows
        (its replies go without asking the store: `Owners.owns`)."""
        alive = set(view.alive if isinstance(view, Liveness) else view) | {self.owner}
        dead = journal.c.owner.not_in(alive) | journal.c.owner.is_(None)
        if isinstance(view, Liveness):
            dead = dead & (journal.c.owner.is_(None)
                           | journal.c.owner.not_in(sa.select(owners.c.owner).where(view.fresh(self.owner))))
        async with self.db.write() as conn:
            await conn.execute(journal.delete().where(dead, journal.c.status == "answered"))
            rows = await conn.execute(journal.update().where(dead).values(status="replaying", owner=self.owner)
                                      .returning(journal.c.update_id, journal.c.body))
            return [body for _, body in sorted(rows.all())]

    async def rows(self) -> list[tuple[int, str, str]]:
        """(update_id, status, owner) of every row, for tests and the benchmark."""
        async with self.db.read() as conn:
            result = await conn.execute(sa.select(journal.c.update_id, journal.c.status, journal.c.owner)
                                        .order_by(journal.c.update_id))
            return [(r[0], r[1], r[2]) for r in result]
