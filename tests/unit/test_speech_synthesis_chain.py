"""Fallback chain and circuit breaker with fake voices; edge-tts bounded against an endpoint that never answers."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from core.errors import TextToSpeechError
from core.models import SpeechAudio
from speech.synthesis import CircuitBreaker, EdgeTtsSynthesizer, FallbackSynthesizer


class FakeVoice:
    def __init__(self, name: str, fail: bool = False, delay_s: float = 0.0) -> None:
        self.name = name
        self.fail = fail
        self.delay_s = delay_s
        self.calls: list[tuple[str, float | None]] = []

    async def synthesize(self, text: str, speed: float | None = None) -> SpeechAudio:
        self.calls.append((text, speed))
        await asyncio.sleep(self.delay_s)
        if self.fail:
            raise TextToSpeechError("fake-down", f"{self.name} is down")
        return SpeechAudio(np.zeros(160, np.float32), 16_000, text, self.name)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_first_working_engine_speaks() -> None:
    down, up, spare = FakeVoice("edge", fail=True), FakeVoice("offline"), FakeVoice("espeak")
    chain = FallbackSynthesizer([(down, CircuitBreaker(300)), (up, None), (spare, None)], speed=0.8)
    audio = await chain.synthesize("你好")
    assert audio.engine == "offline"
    assert down.calls == [("你好", 0.8)] and up.calls == [("你好", 0.8)] and spare.calls == []


async def test_breaker_skips_a_failed_engine_then_retries_after_the_wait() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(300, clock=clock)
    edge, offline = FakeVoice("edge", fail=True), FakeVoice("offline")
    chain = FallbackSynthesizer([(edge, breaker), (offline, None)])
    await chain.synthesize("一")
    await chain.synthesize("二")
    assert len(edge.calls) == 1  # skipped while open
    assert breaker.is_open and breaker.last_error == "fake-down"
    clock.now += 301
    edge.fail = False
    assert (await chain.synthesize("三")).engine == "offline"  # the retry runs beside the turn, not in it
    await asyncio.sleep(0.01)
    assert len(edge.calls) == 2 and not breaker.last_error  # it worked: the breaker is closed
    audio = await chain.synthesize("四")
    assert audio.engine == "edge" and edge.calls[-1][0] == "四"


async def test_a_voice_that_stays_down_never_makes_a_turn_wait_for_its_retry() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(300, clock=clock)
    edge, offline = FakeVoice("edge", fail=True, delay_s=0.5), FakeVoice("offline")  # a firewall that drops packets
    chain = FallbackSynthesizer([(edge, breaker), (offline, None)])
    await chain.synthesize("一")
    clock.now += 301
    started = time.perf_counter()
    assert (await chain.synthesize("二")).engine == "offline"
    assert (await chain.synthesize("三")).engine == "offline"  # one retry at a time
    assert time.perf_counter() - started < 0.2
    assert len(edge.calls) == 2
    await asyncio.sleep(0.6)
    assert breaker.is_open and breaker.last_error == "fake-down"  # failed again: skipped another 300 s


async def test_every_engine_failing_raises_one_error_naming_each() -> None:
    chain = FallbackSynthesizer([(FakeVoice("edge", fail=True), None), (FakeVoice("offline", fail=True), None)])
    with pytest.raises(TextToSpeechError) as err:
        await chain.synthesize("你好")
    assert err.value.code == "all-engines-failed"
    assert "edge: fake-down" in err.value.message and "offline: fake-down" in err.value.message


async def test_stream_speaks_clause_by_clause() -> None:
    voice = FakeVoice("offline")
    chain = FallbackSynthesizer([(voice, None)])
    parts = [a.text async for a in chain.stream("您好，请问您想办理什么业务？我可以帮您查询。")]
    assert parts == ["您好，", "请问您想办理什么业务？", "我可以帮您查询。"]  # a short greeting goes out first


def test_no_engine_is_an_error() -> None:
    with pytest.raises(TextToSpeechError):
        FallbackSynthesizer([])


@pytest.fixture()
def silent_proxy() -> Iterator[str]:
    """A TCP endpoint that accepts connections and never says anything (blocked traffic, not a DNS error)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


async def test_edge_tts_is_bounded_by_its_timeout(silent_proxy: str) -> None:
    edge = EdgeTtsSynthesizer("zh-CN-XiaoxiaoNeural", timeout_s=0.5, proxy=silent_proxy)
    started = time.perf_counter()
    with pytest.raises(TextToSpeechError) as err:
        await edge.synthesize("你好")
    elapsed = time.perf_counter() - started
    assert err.value.code in ("edge-timeout", "edge-unreachable")
    assert elapsed < 1.5


async def test_unreachable_edge_falls_back_fast(silent_proxy: str) -> None:
    edge = EdgeTtsSynthesizer("zh-CN-XiaoxiaoNeural", timeout_s=0.4, proxy=silent_proxy)
    breaker = CircuitBreaker(300)
    chain = FallbackSynthesizer([(edge, breaker), (FakeVoice("offline"), None)])
    started = time.perf_counter()
    assert (await chain.synthesize("你好")).engine == "offline"
    assert time.perf_counter() - started < 1.2
    started = time.perf_counter()
    assert (await chain.synthesize("再见")).engine == "offline"
    assert time.perf_counter() - started < 0.1  # breaker open: edge not even tried
