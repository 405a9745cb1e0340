from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DATA


@pytest.fixture()
def catalog_file(tmp_path: Path) -> Path:
    """A copy of the shipped catalog that a test may write to."""
    path = tmp_path / "papers.yaml"
    path.write_bytes((DATA / "papers.yaml").read_bytes())
    return path
