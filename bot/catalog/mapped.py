"""Cache folders of memory-mapped arrays and checked blobs, written whole or not at all.

Both compiled forms of a catalog (its papers, `bot/catalog/paper_store.py`, and its search index,
`bot/search/index_cache.py`) are such a folder. Arrays are numpy .npy files mapped back with
`mmap_mode="r"`: a start maps instead of building, pages come in on demand, and the processes
of one host share them. Blobs (small pickles) are read and checked against their size and
SHA-256. The header records what the folder was built from; a reader names what it expects,
and any mismatch, a truncated or an unreadable file raises `Unusable`.

A writer fills a temporary folder and renames it into place, so two processes starting at
once never see half a folder, and the loser of the race simply uses the winner's.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy as np

HEADER = "header.json"
_T = TypeVar("_T")


class Unusable(ValueError):
    """A cache folder that must not be used (and is best rebuilt)."""


@dataclass(frozen=True)
class Folder:
    header: dict[str, Any]
    arrays: dict[str, np.ndarray]
    blobs: dict[str, bytes]

    def unpickle(self, name: str) -> Any:
        """A blob's pickled value; `Unusable` when it does not unpickle (another code's classes)."""
        try:
            return pickle.loads(self.blobs[name])
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError) as exc:
            raise Unusable(f"{name}: {exc}") from exc

    def key_table(self, prefix: str) -> KeyTable:
        """The KeyTable written as `KeyTable.arrays(prefix)`."""
        return KeyTable(*(self.arrays[prefix + name] for name in KeyTable.ARRAYS))

    def strings(self, prefix: str) -> Strings:
        """The Strings written as `Strings.arrays(prefix)`."""
        return Strings(*(self.arrays[prefix + name] for name in Strings.ARRAYS))


def _ends(sizes: Sequence[int]) -> np.ndarray:
    """The end offsets of consecutive pieces of these sizes."""
    return np.cumsum(np.fromiter(sizes, dtype=np.int64, count=len(sizes)))


def write(folder: Path, header: Mapping[str, Any], arrays: Mapping[str, np.ndarray],
          blobs: Mapping[str, bytes]) -> bool:
    """Write a folder atomically; False when another process wrote the same folder first."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        shapes = {}
        for name, array in arrays.items():
            array = np.ascontiguousarray(array)
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
            shapes[name] = [array.dtype.str, list(array.shape)]
        sums = {}
        for name, blob in blobs.items():
            (tmp / name).write_bytes(blob)
            sums[name] = [len(blob), hashlib.sha256(blob).hexdigest()]
        (tmp / HEADER).write_text(json.dumps({**header, "arrays": shapes, "blobs": sums}), encoding="utf-8")
        try:
            os.rename(tmp, folder)  # atomic; fails when another process got there first
        except OSError:
            if not folder.is_dir():
                raise
            return False
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read(folder: Path, expected: Mapping[str, Any]) -> Folder:
    """Map a folder's arrays and read its blobs; `Unusable` unless every `expected` header
    value matches and every file is whole. Every file is opened here, so a folder removed
    later (a newer version written by another process) stays readable through the mapping."""
    try:
        header: dict[str, Any] = json.loads((folder / HEADER).read_text(encoding="utf-8"))
        for key, value in expected.items():
            if header.get(key) != value:
                raise Unusable(f"{key} is {header.get(key)!r}, not {value!r}")
        arrays = {}
        for name, (dtype, shape) in header["arrays"].items():
            array = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            if array.dtype.str != dtype or list(array.shape) != shape:
                raise Unusable(f"{name}.npy does not match its header")
            # A plain view of the same mapping: slicing a `np.memmap` costs a Python-level
            # `__getitem__` and `__array_finalize__` each time, thousands per query.
            arrays[name] = np.asarray(array)
        blobs = {}
        for name, (size, sha) in header["blobs"].items():
            blob = (folder / name).read_bytes()
            if len(blob) != size or hashlib.sha256(blob).hexdigest() != sha:
                raise Unusable(f"{name} is damaged")
            blobs[name] = blob
    except (OSError, KeyError, TypeError, ValueError) as exc:  # json and numpy errors are ValueErrors
        raise exc if isinstance(exc, Unusable) else Unusable(f"{type(exc).__name__}: {exc}") from exc
    return Folder(header, arrays, blobs)


def is_mapped(array: np.ndarray) -> bool:
    """Whether an array's memory is a file mapping (not built or copied in this process)."""
    base: object = array
    while isinstance(base, np.ndarray):
        if isinstance(base, np.memmap):
            return True
        base = base.base
    return False


def remove_others(folder: Path, pattern: str) -> None:
    """Remove what else matches the glob `pattern` beside `folder` (older versions of the same
    thing, in any format). A process still mapping one keeps its pages: the files go with the
    last mapping."""
    for old in folder.parent.glob(pattern):
        if old == folder or old.name.startswith("."):
            continue
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


class KeyTable(Mapping[str, tuple[int, ...]]):
    """Strings -> tuples of small integers, as sorted UTF-8 keys in flat arrays.

    A lookup is a binary search over bytes (UTF-8 sorts as code points do), so the table costs
    no Python objects until it is asked, and a mapped one costs nothing at all until then. The
    first lookup copies the keys' bytes into one `bytes` object (a few MB at 100,000 papers) and
    reads the offsets through memoryviews: a probe is then a slice of plain bytes, not of numpy.
    """

    ARRAYS = ("key_bytes", "key_ends", "value_ends", "flat_values")

    def __init__(self, key_bytes: np.ndarray, key_ends: np.ndarray, value_ends: np.ndarray,
                 flat_values: np.ndarray) -> None:
        self._arrays = (key_bytes, key_ends, value_ends, flat_values)
        self._key_bytes, self._key_ends, self._value_ends, self._flat_values = self._arrays
        self._n = len(key_ends)

    @classmethod
    def build(cls, table: Mapping[str, tuple[int, ...]]) -> KeyTable:
        names = sorted(table)  # Python's string order is UTF-8's byte order (surrogates included)
        keys = [_utf8(k) for k in names]
        values = [table[k] for k in names]
        key_ends, value_ends = _ends([len(k) for k in keys]), _ends([len(v) for v in values])
        flat = np.fromiter(chain.from_iterable(values), dtype=np.int32, count=int(value_ends[-1]) if keys else 0)
        return cls(np.frombuffer(b"".join(keys), dtype=np.uint8), key_ends, value_ends, flat)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Its arrays, named for a folder (`Folder.key_table(prefix)` reads them back)."""
        return {prefix + name: array for name, array in zip(self.ARRAYS, self._arrays, strict=True)}

    @cached_property
    def _hot(self) -> tuple[bytes, memoryview, memoryview, memoryview]:
        """The tables a lookup reads, made once on first use: key bytes, key ends, value ends, values."""
        return (self._key_bytes.tobytes(), _ints(self._key_ends), _ints(self._value_ends),
                _ints(self._flat_values))

    def _key(self, i: int) -> bytes:
        raw, ends = self._hot[0], self._hot[1]
        return raw[ends[i - 1] if i else 0:ends[i]]

    def arrays_starting_with(self, prefix: str) -> Iterator[tuple[str, np.ndarray]]:
        """As `starting_with`, each value a view of the mapped array (no tuple is built): a
        count over a group of 30,000 papers is then one numpy sum."""
        raw = _utf8(prefix)
        for i in range(self._find(raw), self._n):
            key = self._key(i)
            if not key.startswith(raw):
                return
            start = int(self._value_ends[i - 1]) if i else 0
            yield _text(key), self._flat_values[start:int(self._value_ends[i])]

    def _value(self, i: int) -> tuple[int, ...]:
        ends, values = self._hot[2], self._hot[3]
        # tolist() makes the ints in C; iterating the memoryview made them one call at a time
        # (1.85M calls, a third of understanding's time at 100,000 papers).
        return tuple(values[ends[i - 1] if i else 0:ends[i]].tolist())

    @cached_property
    def _prefixes(self) -> tuple[np.ndarray, memoryview]:
        """Each key's first 8 bytes as a big-endian number, zero-padded, made on first use. The
        numbers never descend where the keys ascend, so one `searchsorted` in C narrows a lookup
        to the few keys that share them (and a miss, the usual case, ends there)."""
        ends = np.asarray(self._key_ends, dtype=np.int64)
        starts = np.concatenate(([0], ends[:-1])).astype(np.int64)
        raw = np.asarray(self._key_bytes, dtype=np.uint8)
        out = np.zeros(self._n, dtype=np.uint64)
        for j in range(8):
            has = ends - starts > j
            byte = np.zeros(self._n, dtype=np.uint64)
            byte[has] = raw[starts[has] + j]
            out |= byte << np.uint64(8 * (7 - j))
        return out, _ints(out)

    def array(self, key: str) -> np.ndarray:
        """A key's value as an int32 array (empty when absent): a view of the table, so a group
        of 30,000 positions costs no Python ints."""
        raw = _utf8(key)
        at = self._find(raw)
        if at < self._n and self._key(at) == raw:
            ends = self._hot[2]
            return np.asarray(self._flat_values[ends[at - 1] if at else 0:ends[at]])
        return np.zeros(0, dtype=np.int32)

    def _find(self, raw: bytes) -> int:
        """Where `raw` is or would be inserted among the keys. (bisect over the memoryview of
        Python ints: a third faster than numpy's searchsorted with its scalar conversions.)"""
        as_ints = self._prefixes[1]
        head = int.from_bytes(raw[:8].ljust(8, b"\0"), "big")
        lo = bisect_left(as_ints, head)
        if lo == self._n or as_ints[lo] != head:
            return lo
        hi = bisect_right(as_ints, head, lo)
        if hi - lo == 1:   # the usual case: no other key starts with the same 8 bytes
            return lo if self._key(lo) >= raw else hi
        return bisect_left(range(self._n), raw, lo, hi, key=self._key)

    def __getitem__(self, key: str) -> tuple[int, ...]:
        raw = _utf8(key)
        at = self._find(raw)
        if at < self._n and self._key(at) == raw:
            return self._value(at)
        raise KeyError(key)

    @overload
    def get(self, key: str, /) -> tuple[int, ...] | None: ...
    @overload
    def get(self, key: str, default: tuple[int, ...] | _T, /) -> tuple[int, ...] | _T: ...
    def get(self, key: str, default: object = None, /) -> object:
        # Mapping's `get` raises and catches a KeyError on a miss, the usual case of a search's
        # probes (every run of a query's words is looked up).
        raw = _utf8(key)
        at = self._find(raw)
        if at < self._n and self._key(at) == raw:
            return self._value(at)
        return default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        raw = _utf8(key)
        at = self._find(raw)
        return at < self._n and self._key(at) == raw

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        return (_text(self._key(i)) for i in range(self._n))

    def starting_with(self, prefix: str) -> Iterator[tuple[str, tuple[int, ...]]]:
        """The keys that start with `prefix`, in order, with their values."""
        raw = _utf8(prefix)
        for i in range(self._find(raw), self._n):
            key = self._key(i)
            if not key.startswith(raw):
                return
            yield _text(key), self._value(i)


def _ints(array: np.ndarray) -> memoryview:
    """An integer array read through a memoryview: indexing gives Python ints, not numpy scalars."""
    return np.ascontiguousarray(array).data


class Strings(Sequence[str]):
    """A column of strings as one UTF-8 buffer and end offsets: nothing is decoded until read."""

    ARRAYS = ("text_bytes", "text_ends")

    def __init__(self, text_bytes: np.ndarray, text_ends: np.ndarray) -> None:
        self._arrays = (text_bytes, text_ends)
        self._n = len(text_ends)

    @classmethod
    def build(cls, texts: Sequence[str]) -> Strings:
        raw = [_utf8(t) for t in texts]
        return cls(np.frombuffer(b"".join(raw), dtype=np.uint8), _ends([len(r) for r in raw]))

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Its arrays, named for a folder (`Folder.strings(prefix)` reads them back)."""
        return {prefix + name: array for name, array in zip(self.ARRAYS, self._arrays, strict=True)}

    @cached_property
    def _hot(self) -> tuple[bytes, memoryview]:
        """Made on first use, as `KeyTable._hot`."""
        return self._arrays[0].tobytes(), _ints(self._arrays[1])

    def __len__(self) -> int:
        return self._n

    def take(self, positions: Iterable[int]) -> list[str]:
        """The strings at these positions (each checked as `self[i]` checks it), in one call."""
        raw, ends = self._hot
        n = self._n
        out = []
        for i in positions:
            if not 0 <= i < n:
                raise IndexError(i)
            out.append(_text(raw[ends[i - 1] if i else 0:ends[i]]))
        return out

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        raw, ends = self._hot
        return _text(raw[ends[i - 1] if i else 0:ends[i]])


# A lone surrogate (which a hostile message can carry through JSON) is a key like any other.
def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogatepass")
