from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.catalog import Catalog
from bot.catalog.keywords import load_digests, load_keywords
from bot.catalog.topics import load_topics
from bot.conversation.library import Library
from bot.search.engine import SearchIndex
from bot.settings import Settings
from bot.store.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Thirteen papers of the digest article in its own format (every section, the errata, a wrong abstract,
# a missing one, paragraphs and URL lines), each abstract cut to its first sentences: what the
# importer's tests need, kept in the repository.
SEED = ROOT / "tests" / "data" / "digest-sample.txt"
SEED_PAPERS = 13


# A third of the suite's time is waiting (on the bots, servers and timeouts its tests start), so
# two workers per core keep the cores busy: on 2 cores, 4 workers took 104 s where 2 took 155 s.
WORKERS_PER_CORE = 2
MAX_WORKERS = 8


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads its options
def pytest_cmdline_main(config: pytest.Config) -> None:
    """`pytest` with no paths (the whole suite, the README's command) runs on WORKERS_PER_CORE
    worker processes per core, at most MAX_WORKERS, when pytest-xdist is installed (it is in
    `[dev]`). Paths given, `-n` given, or a single core: one process, as plain pytest. The
    workers share nothing a test writes: each has its own temporary folders, caches (see
    `private_home_dirs`), free ports and PostgreSQL server (`postgres_url`)."""
    import os

    if (hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist")
            or config.args_source is not pytest.Config.ArgsSource.TESTPATHS
            or config.option.numprocesses is not None):
        return
    cores = os.cpu_count() or 1
    if cores > 1:
        workers = min(cores * WORKERS_PER_CORE, MAX_WORKERS)
        config.option.numprocesses = workers
        config.option.dist = "worksteal"   # tests differ a thousandfold in length: idle workers take from busy ones


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return catalog_mod.load(DATA / "papers.yaml", use_cache=False)


@pytest.fixture(scope="session")
def index(catalog: Catalog) -> SearchIndex:
    return SearchIndex.build(catalog)


@pytest.fixture(scope="session")
def catalog_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder per worker for the bots the tests start (in process and `paperbot run`):
    the shipped data is compiled into it by the first and mapped by every later one, as a
    deployed bot's restarts do, instead of compiled again per test. Its entries are keyed by the
    data's content, so a test serving a catalog of its own gets entries of its own; a test of the
    cache itself passes a folder of its own."""
    return tmp_path_factory.mktemp("catalog-cache")


@pytest.fixture()
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog_cache: Path) -> Settings:
    import os

    # Every setting from the environment goes: a developer's exports must not change a test.
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "PAPERBOT_", "WEBHOOK_")) or name in ("DATABASE_URL", "STATS_STORE_USERS"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return Settings(PAPERBOT_CACHE_DIR=catalog_cache)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def library(catalog: Catalog, index: SearchIndex) -> Library:
    """The shipped data as the bot serves it (catalog, keyword rules, digests, index, topics)."""
    digests = load_digests(DATA / "digests.yaml", [s.id for s in catalog.sections], [p.id for p in catalog])
    keywords = load_keywords(DATA / "keywords.yaml", [p.id for p in catalog], [d.id for d in digests])
    return Library(catalog, keywords, digests, index, load_topics(DATA / "topics.yaml"))


@pytest.fixture(scope="session", autouse=True)
def compiled_sources() -> None:
    """The processes the tests start (`paperbot run`, the command line) import the project from
    bytecode, as an installed package would: where PYTHONDONTWRITEBYTECODE is set, each of them
    would compile every module from source again. A stale file is never used (its source's
    time and size are checked on import)."""
    import compileall

    for package in ("bot", "handlers"):
        compileall.compile_dir(ROOT / package, quiet=1)


@pytest.fixture(scope="session", autouse=True)
def private_home_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Caches and data of this run (and of the processes it starts) stay out of the real home."""
    import os

    saved = {k: os.environ.get(k) for k in ("XDG_CACHE_HOME", "XDG_DATA_HOME")}
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the whole session (started on first use)."""
    from tests.postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture()
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """An opened store on a SQLite file of the test's own, as one replica's."""
    s = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}", owner="replica-a")
    await s.open()
    yield s
    await s.close()
