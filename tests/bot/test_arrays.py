"""`distinct` is `np.unique` of a 1-d array, by a sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from bot.arrays import distinct


@given(st.lists(st.integers(-(2**62), 2**62)), st.sampled_from([np.int64, np.int32]))
def test_distinct_is_numpys_unique(values: list[int], dtype: type) -> None:
    array = np.asarray(values, dtype=np.int64).astype(dtype)
    got = distinct(array)
    assert got.dtype == array.dtype
    assert np.array_equal(got, np.unique(array))


def test_distinct_of_nothing_and_of_one() -> None:
    assert distinct(np.zeros(0, dtype=np.int64)).tolist() == []
    assert distinct(np.array([7])).tolist() == [7]
    assert distinct(np.array([3, 1, 3, 2, 1])).tolist() == [1, 2, 3]
