"""Months that cannot be are named; real dates and arXiv ids are not."""

from __future__ import annotations

import pytest

from bot.conversation.dates import impossible_month


@pytest.mark.parametrize(("text", "found"), [
    ("2023-13", "2023-13"), ("2023.00", "2023.00"), ("2023年13月", "2023年13月"), ("23年13月", "23年13月"),
    ("13月的论文", "13月"), ("0月", "0月"), ("google 2023-13-01", "2023-13"),
])
def test_an_impossible_month_is_found_as_written(text: str, found: str) -> None:
    assert impossible_month(text) == found


@pytest.mark.parametrize("text", ["2023-12", "2023年12月", "12月份", "2023.1", "2012.13456", "arXiv 2305.10429",
                                  "llama 2 13b", "agent", ""])
def test_real_months_and_other_numbers_pass(text: str) -> None:
    assert impossible_month(text) is None
