"""Which processes are alive: each writes a heartbeat into the store, and an update in the
journal belongs to the process that accepted it until that process is dead.

A process is dead when its row is gone (it stopped and said so), its heartbeat is older than
the lease, or, on this very host, its pid no longer runs (a restart after SIGKILL is seen at
once, not a lease later).

A process also knows when no one can take its rows (`owns`): while its heartbeats come within
half a lease of each other, every other process counts it alive, so a row it journalled since
the heartbeat that began that unbroken run is still its own, and its reply needs no question to
the store (the journal's `answer`). That holds because a claim and a prune judge liveness in
their own statement (`Liveness.fresh`), never by an earlier read alone: a replayer that read
this process as dead just before its heartbeat cannot take a row journalled after it. After a
lapse (a freeze, a store outage) its older rows may have been taken: the store is asked.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bot.store.engine import Database
from bot.store.tables import owners

LEASE = 15.0      # seconds without a heartbeat after which an owner counts as dead
HEARTBEAT = 3.0   # seconds between heartbeats
HOLD = 0.5        # of the lease: how long after a heartbeat this process counts on it (clocks differ)


@dataclass(frozen=True)
class Liveness:
    """Who was alive at a read, and what a later statement needs to judge it again itself."""

    alive: frozenset[str]   # lease held, and not gone from this host (this process always)
    gone: frozenset[str]    # processes of this host that no longer run (a fresh heartbeat or not)
    cutoff: float           # a heartbeat at or after this (wall clock) holds the lease

    def fresh(self, me: str) -> sa.ColumnElement[bool]:
        """An owner row that holds its lease as the statement runs (so also one that beat after the read)."""
        return (owners.c.owner == me) | ((owners.c.beat >= self.cutoff) & owners.c.owner.not_in(self.gone))


def new_owner_id() -> str:
    """host:pid:nonce; the nonce tells this process from an earlier one that had the same pid."""
    return f"{os.uname().nodename}:{os.getpid()}:{secrets.token_hex(4)}"


def gone_from_this_host(owner: str, me: str) -> bool:
    """True when `owner` was a process of this host that no longer runs."""
    host, _, rest = owner.partition(":")
    pid, _, nonce = rest.partition(":")
    my_host, _, my_rest = me.partition(":")
    if host != my_host or not pid.isdigit() or not nonce:
        return False
    if int(pid) == int(my_rest.partition(":")[0]):
        return owner != me   # this pid is mine now: the owner before me is dead
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Owners:
    def __init__(self, db: Database, owner: str, lease: float = LEASE) -> None:
        self.db = db
        self.owner = owner
        self.lease = lease
        self._held_until = (0.0, 0.0)         # (wall, monotonic): both, so neither a suspend nor a clock step fools it
        self._held_since: float | None = None   # monotonic: when the unbroken run of heartbeats began

    async def beat(self) -> None:
        now, steady = time.time(), time.monotonic()
        stmt = self.db.insert(owners).values(owner=self.owner, beat=now)
        async with self.db.write() as conn:
            await conn.execute(stmt.on_conflict_do_update(index_elements=["owner"], set_={"beat": now}))
        if not self.holds():   # the run of heartbeats broke (or begins): it begins again from here
            self._held_since = time.monotonic()
        self._held_until = (now + self.lease * HOLD, steady + self.lease * HOLD)

    def holds(self) -> bool:
        wall, steady = self._held_until
        return time.time() < wall and time.monotonic() < steady

    def owns(self, journalled: float) -> bool:
        """No other process can have taken a row this process journalled at `journalled`
        (monotonic, at or before the row's commit): the heartbeats have come steadily since
        before it, and still do."""
        return self.holds() and self._held_since is not None and self._held_since <= journalled

    async def leave(self) -> None:
        """A clean stop: what this process leaves in the journal is anyone's at once."""
        self._held_until, self._held_since = (0.0, 0.0), None
        async with self.db.write() as conn:
            await conn.execute(owners.delete().where(owners.c.owner == self.owner))

    async def liveness(self) -> Liveness:
        cutoff = time.time() - self.lease
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(owners.c.owner, owners.c.beat))).all()
        gone = {o for o, _ in rows if gone_from_this_host(o, self.owner)}
        alive = {o for o, beat in rows if beat >= cutoff and o not in gone} | {self.owner}
        return Liveness(frozenset(alive), frozenset(gone), cutoff)

    async def alive(self) -> set[str]:
        """Owners whose lease holds (this process always among them)."""
        return set((await self.liveness()).alive)

    async def prune(self, view: Liveness) -> None:
        """Forget the heartbeats of owners found dead (their journal rows have been taken), but
        never one that has beaten since the read."""
        async with self.db.write() as conn:
            await conn.execute(owners.delete().where(owners.c.owner.not_in(view.alive), ~view.fresh(self.owner)))
