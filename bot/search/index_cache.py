"""The search index, persisted beside the catalog cache and memory-mapped back.

A restart maps the BM25 arrays and the exact-name table (numpy .npy files, `mmap_mode="r"`,
see `bot/catalog/mapped.py`) instead of building them: pages come in on demand and processes on one
host share them. The small tables (vocabulary, typo buckets) are one pickle. A folder per
catalog content, index format and index code: an edited catalog, a new format or changed
search code each get a new folder.

Nothing stale or damaged is ever used: a header records the format, the catalog's hash, the
code's hash, every array's dtype and shape and the pickle's size and checksum; any mismatch, a
truncated file or an unreadable one means one log line and a rebuild. Writers write a temporary
folder and rename it into place, so two processes starting at once never see half a cache.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import shutil
from functools import cache
from pathlib import Path

from bot.catalog import mapped
from bot.catalog.catalog import Catalog, default_cache_dir
from bot.search.bm25 import BM25Index
from bot.search.lookup import SearchIndex

log = logging.getLogger(__name__)

INDEX_VERSION = 4
ARRAYS = ("term_keys", "indptr", "indices", "data", "idf", "kept_indptr", "kept_terms")
_CODE = ("search/build.py", "search/lookup.py", "search/bm25.py", "text.py", "search/index_cache.py", "catalog/mapped.py")


@cache
def code_hash() -> str:
    """The index-building code's own hash: changed search code never reads an old index."""
    here = Path(__file__).resolve().parents[1]   # bot/
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
        except mapped.Unusable as exc:
            log.warning("search index cache %s is unusable (%s); rebuilding it", folder.name, exc)
            shutil.rmtree(folder, ignore_errors=True)
    index = SearchIndex.build(catalog, workers=workers)
    try:
        write(index, folder)
    except OSError as exc:
        log.warning("search index not cached (%s); the next start builds it again", exc)
    return index


def write(index: SearchIndex, folder: Path) -> None:
    """Write the index (atomically: see `mapped.write`) and remove this catalog path's older ones."""
    arrays = {name: getattr(index.bm25, name) for name in ARRAYS}
    arrays.update(index.exact.arrays("exact_"))
    arrays.update(index.names.arrays("names_"))
    meta = pickle.dumps((index.bm25.vocab, index.bm25.n_docs, index.latin_vocab, index.name_buckets),
                        protocol=pickle.HIGHEST_PROTOCOL)
    header = {"version": INDEX_VERSION, "catalog": index.catalog.digest_sha, "code": code_hash(),
              "papers": len(index.catalog)}
    if mapped.write(folder, header, arrays, {"meta.pickle": meta}):
        path_key = folder.name.split("-")[2]
        mapped.remove_others(folder, f"index-v*-{path_key}-*")   # this catalog path's older indexes, any format


def read(folder: Path, catalog: Catalog) -> SearchIndex:
    """Map a written index; `mapped.Unusable` for anything that does not check out."""
    found = mapped.read(folder, {"version": INDEX_VERSION, "code": code_hash(), "catalog": catalog.digest_sha,
                                 "papers": len(catalog)})
    vocab, n_docs, latin_vocab, name_buckets = found.unpickle("meta.pickle")
    arrays = found.arrays
    if (n_docs != len(catalog) or len(arrays["indptr"]) != len(arrays["term_keys"]) + 1
            or len(arrays["kept_indptr"]) != n_docs + 1):
        raise mapped.Unusable("inconsistent sizes")
    bm25 = BM25Index(arrays["term_keys"], arrays["indptr"], arrays["indices"], arrays["data"], arrays["idf"],
                     vocab, n_docs, arrays["kept_indptr"], arrays["kept_terms"])
    return SearchIndex(catalog, found.key_table("exact_"), bm25, latin_vocab, name_buckets, found.strings("names_"))
