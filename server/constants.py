"""Names and limits shared across the server: Redis keys live here and nowhere else."""

from __future__ import annotations


def redis_journal_key(mall_id: str) -> str:
    # {mall} is a hash tag: every key of one mall lands on the same Redis Cluster slot.
    return f"antrian:{{{mall_id}}}:journal"


def redis_day_start_key(mall_id: str) -> str:
    return f"antrian:{{{mall_id}}}:day_start"


def redis_meta_key(mall_id: str) -> str:
    return f"antrian:{{{mall_id}}}:meta"


def redis_store_namespace(mall_id: str, store: str) -> str:
    return f"antrian:{{{mall_id}}}:store:{store}"


REDIS_TAIL_BLOCK_MS = 5_000
REDIS_TAIL_BATCH = 500
