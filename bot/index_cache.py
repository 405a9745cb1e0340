"""The search index, persisted beside the catalog cache and memory-mapped back.

A restart maps the BM25 arrays (numpy .npy files, `mmap_mode="r"`) instead of building them:
pages come in on demand and processes on one host share them. The small tables (vocabulary,
exact names, typo buckets) are one pickle. A folder per catalog content, index format and
index code: an edited catalog, a new format or changed search code each get a new folder.

Nothing stale or damaged is ever used: a header records the format, the catalog's hash, the
code's hash, every array's dtype and shape and the pickle's size and checksum; any mismatch, a
truncated file or an unreadable one means one log line and a rebuild. Writers write a temporary
folder and rename it into place, so two processes starting at once never see half a cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.bm25 import BM25Index
from bot.catalog import Catalog, default_cache_dir
from bot.search import SearchIndex

log = logging.getLogger(__name__)

INDEX_VERSION = 1
ARRAYS = ("term_keys", "indptr", "indices", "data", "idf")
_CODE = ("search.py", "bm25.py", "text.py", "index_cache.py")


@cache
def code_hash() -> str:
    """The index-building code's own hash: changed search code never reads an old index."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in _CODE:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def folder_for(catalog: Catalog, cache_dir: Path) -> Path:
    path_key = hashlib.sha256(catalog.source.encode()).hexdigest()[:12]
    return cache_dir / f"index-v{INDEX_VERSION}-{path_key}-{catalog.digest_sha[:24]}-{code_hash()}"


def load_or_build(catalog: Catalog, cache_dir: Path | None = None, *, workers: int | None = None) -> SearchIndex:
    """The index of `catalog`: mapped from the cache when a sound copy is there, else built
    (and written for the next start). A catalog not loaded from a file is always built."""
    if not catalog.digest_sha:
        return SearchIndex.build(catalog, workers=workers)
    folder = folder_for(catalog, cache_dir or default_cache_dir())
    if folder.is_dir():
        try:
            return read(folder, catalog)
        except (OSError, ValueError, KeyError, EOFError, pickle.UnpicklingError, json.JSONDecodeError) as exc:
            log.warning("search index cache %s is unusable (%s); rebuilding it", folder.name, exc)
            shutil.rmtree(folder, ignore_errors=True)
    index = SearchIndex.build(catalog, workers=workers)
    try:
        write(index, folder)
    except OSError as exc:
        log.warning("search index not cached (%s); the next start builds it again", exc)
    return index


def write(index: SearchIndex, folder: Path) -> None:
    """Write the index into a temporary folder beside `folder`, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        arrays = {}
        for name in ARRAYS:
            array = np.ascontiguousarray(getattr(index.bm25, name))
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
            arrays[name] = [array.dtype.str, list(array.shape)]
        meta = pickle.dumps((index.exact, index.prefix_keys, index.bm25.vocab, index.bm25.n_docs, index.latin_vocab,
                             index.name_buckets), protocol=pickle.HIGHEST_PROTOCOL)
        (tmp / "meta.pickle").write_bytes(meta)
        header = {"version": INDEX_VERSION, "catalog": index.catalog.digest_sha, "code": code_hash(),
                  "papers": len(index.catalog), "arrays": arrays, "meta_size": len(meta),
                  "meta_sha256": hashlib.sha256(meta).hexdigest()}
        (tmp / "header.json").write_text(json.dumps(header), encoding="utf-8")
        try:
            os.rename(tmp, folder)  # atomic; fails when another process got there first
        except OSError:
            if not folder.is_dir():
                raise
            return
        for old in folder.parent.glob(folder.name.rsplit("-", 2)[0] + "-*"):
            if old != folder and old.is_dir() and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)  # this catalog path's older indexes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read(folder: Path, catalog: Catalog) -> SearchIndex:
    """Map a written index; ValueError (or OSError) for anything that does not check out."""
    header: dict[str, Any] = json.loads((folder / "header.json").read_text(encoding="utf-8"))
    if header.get("version") != INDEX_VERSION or header.get("code") != code_hash():
        raise ValueError("another index format or search code")
    if header.get("catalog") != catalog.digest_sha or header.get("papers") != len(catalog):
        raise ValueError("built for another catalog")
    mapped = {}
    for name in ARRAYS:
        dtype, shape = header["arrays"][name]
        array = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        if array.dtype.str != dtype or list(array.shape) != shape:
            raise ValueError(f"{name}.npy does not match its header")
        mapped[name] = array
    meta = (folder / "meta.pickle").read_bytes()
    if len(meta) != header["meta_size"] or hashlib.sha256(meta).hexdigest() != header["meta_sha256"]:
        raise ValueError("meta.pickle is damaged")
    exact, prefix_keys, vocab, n_docs, latin_vocab, name_buckets = pickle.loads(meta)
    if n_docs != len(catalog) or len(mapped["indptr"]) != len(mapped["term_keys"]) + 1:
        raise ValueError("inconsistent sizes")
    bm25 = BM25Index(mapped["term_keys"], mapped["indptr"], mapped["indices"], mapped["data"], mapped["idf"],
                     vocab, n_docs)
    return SearchIndex(catalog, exact, prefix_keys, bm25, latin_vocab, name_buckets)
