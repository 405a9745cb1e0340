"""How `pytest` runs the suite: the whole suite on two workers per core, chosen paths in one process."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests import conftest


def config(source: pytest.Config.ArgsSource, numprocesses: int | None = None, *, xdist: bool = True,
           worker: bool = False) -> Any:
    made = SimpleNamespace(args_source=source, option=SimpleNamespace(numprocesses=numprocesses, dist="no"),
                           pluginmanager=SimpleNamespace(hasplugin=lambda name: xdist and name == "xdist"))
    if worker:
        made.workerinput = {}
    return made


@pytest.mark.parametrize(("cores", "workers"), [(2, 4), (3, 6), (8, 8)])
def test_the_whole_suite_runs_on_two_workers_per_core(monkeypatch: pytest.MonkeyPatch, cores: int, workers: int) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    whole = config(pytest.Config.ArgsSource.TESTPATHS)
    conftest.pytest_cmdline_main(whole)
    assert whole.option.numprocesses == workers and whole.option.dist == "worksteal"


@pytest.mark.parametrize("case", [
    config(pytest.Config.ArgsSource.ARGS),                     # `pytest tests/bot/...`
    config(pytest.Config.ArgsSource.TESTPATHS, 0),             # `pytest -n 0`
    config(pytest.Config.ArgsSource.TESTPATHS, xdist=False),   # pytest-xdist not installed
    config(pytest.Config.ArgsSource.TESTPATHS, worker=True),   # inside a worker
], ids=["paths", "n0", "no-xdist", "worker"])
def test_chosen_paths_and_explicit_choices_stay_as_they_are(monkeypatch: pytest.MonkeyPatch, case: Any) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    before = vars(case.option).copy()
    conftest.pytest_cmdline_main(case)
    assert vars(case.option) == before


def test_one_core_runs_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    whole = config(pytest.Config.ArgsSource.TESTPATHS)
    conftest.pytest_cmdline_main(whole)
    assert whole.option.numprocesses is None
