"""Which classify task scores a mention when several run side by side (``[classifier] shards``).

A mention's share is a hash of its id that is the same in every process, store and run
(Python's ``hash()`` is salted per process), so tasks over shards 0 and 1 of 2 score every
mention once between them, and a task that is retried scores the same share again. Writes
are upserts by mention id: a share scored twice (a retry after a crash) is still scored once.
"""
from __future__ import annotations

import zlib

from escucha.errors import InputError

MAX_SHARDS = 64


def shard_of(mention_id: str, shards: int) -> int:
    """The share (0 to ``shards`` - 1) a mention belongs to."""
    return zlib.crc32(mention_id.encode("utf-8")) % shards


def check(shard: tuple[int, int] | None) -> tuple[int, int] | None:
    """``(index, count)`` as given, or an error naming what is wrong."""
    if shard is None:
        return None
    index, count = shard
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SHARDS:
        raise InputError(f"the number of shards must be a whole number from 1 to {MAX_SHARDS}, got {count!r}")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
        raise InputError(f"the shard must be a whole number from 0 to {count - 1}, got {index!r}")
    return index, count
