"""How a worker's next chunk of a batch is sized (notifications/batches.py chunk_size)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from notifications.batches import HANDOVER_CHUNK, chunk_size


def test_a_full_chunk_while_many_rows_are_left_and_an_even_share_of_the_last_ones() -> None:
    assert chunk_size(200, HANDOVER_CHUNK, 4) == HANDOVER_CHUNK
    assert chunk_size(32, 8, 4) == 8
    assert chunk_size(20, 8, 4) == 5
    assert chunk_size(3, 8, 4) == 1
    assert chunk_size(0, 8, 4) == 1  # take() then finds nothing


@given(
    pending=st.integers(min_value=1, max_value=2000),
    chunk=st.integers(min_value=1, max_value=64),
    connections=st.integers(min_value=1, max_value=32),
)
def test_a_chunk_is_never_more_than_asked_nor_more_than_a_fair_share(
    pending: int, chunk: int, connections: int
) -> None:
    size = chunk_size(pending, chunk, connections)
    assert size == min(chunk, math.ceil(pending / connections))
    # every connection taking one share in turn leaves no connection idle while rows remain
    assert size * connections >= min(pending, chunk * connections)
