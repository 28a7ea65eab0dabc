"""Separate worker threads per kind of blocking work, so one kind never queues behind another.

asyncio.to_thread shares one small default pool: twenty screens' speech synthesis (CPU-bound, one at a time
anyway) would fill it and a knowledge-base lookup of 0.1 s would wait behind minutes of synthesis. Each kind gets
its own pool: knowledge-base lookups run as soon as they arrive; recognition and synthesis queue among their own.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

POOL_SIZES = {"kb": 4, "asr": 1, "tts": 1, "llm": 1}
_pools: dict[str, ThreadPoolExecutor] = {}
_lock = threading.Lock()


def pool(kind: str) -> ThreadPoolExecutor:
    with _lock:
        if kind not in _pools:
            _pools[kind] = ThreadPoolExecutor(max_workers=POOL_SIZES.get(kind, 2), thread_name_prefix=f"kiosk-{kind}")
        return _pools[kind]


async def run_in(kind: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking call on the `kind` pool and await its result."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool(kind), functools.partial(fn, *args, **kwargs))
