"""A large catalog's first parse runs in a worker process: the serving process maps the store
the worker wrote and never holds the parse (its peak, its fragments). Its problems come back
with their lines; without a worker, the parse happens here."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.yamlfile import DataError
from tests.conftest import DATA


@pytest.fixture()
def large(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(catalog_mod, "WORKER_BYTES", 0)   # every file counts as large
    path = tmp_path / "papers.yaml"
    path.write_bytes((DATA / "papers.yaml").read_bytes())
    return path


def test_a_large_catalog_is_parsed_in_a_worker_and_mapped_here(large: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("the catalog was parsed in the serving process")
    monkeypatch.setattr(catalog_mod, "_parsed", not_here)
    catalog = catalog_mod.load(large, tmp_path / "cache")
    assert catalog.store is not None and len(catalog) == 26
    assert catalog.get("medusa") is not None and catalog.get("medusa").arxiv == "2401.10774"  # type: ignore[union-attr]


def test_a_problem_found_in_the_worker_comes_back_with_its_line(large: Path, tmp_path: Path) -> None:
    text = large.read_text(encoding="utf-8")
    bad = text.replace("arxiv: '2401.10774'", "arxiv: 'broken'")
    line = next(n for n, row in enumerate(bad.splitlines(), 1) if "arxiv: 'broken'" in row)
    large.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        catalog_mod.load(large, tmp_path / "cache")
    assert f"{large}:{line}:" in str(raised.value)


def test_without_a_worker_the_catalog_is_parsed_here(large: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    def no_processes(*args: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(catalog_mod, "run_in_worker", no_processes)
    with caplog.at_level(logging.WARNING):
        catalog = catalog_mod.load(large, tmp_path / "cache")
    assert len(catalog) == 26 and "parsing in this process" in caplog.text
