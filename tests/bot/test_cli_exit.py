"""`paperbot` leaves quickly: what is alive at exit is frozen out of the shutdown's collections."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
import tomllib

from bot import cli


def test_the_program_freezes_what_is_alive_before_it_exits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "main", lambda: 3)
    assert gc.get_freeze_count() == 0
    try:
        assert cli.entry() == 3                 # the command's exit code, unchanged
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()                           # this test process goes on collecting


def test_both_ways_of_starting_it_go_through_entry() -> None:
    root = Path(__file__).resolve().parents[2]
    assert tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]["paperbot"] == "bot.cli:entry"
    assert "entry()" in (root / "bot" / "__main__.py").read_text()
