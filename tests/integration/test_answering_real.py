"""Both chat backends on the real 0.5B GGUF, and the Answerer end to end on the real corpus."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from answering import Answerer, LlamaCppChatModel, OpenAICompatibleChatModel
from core.config import KioskConfig
from core.models import AnswerMode, ChatMessage, ChatOptions
from core.provisioning import ensure_model
from tests.servers import free_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

SHORT = [ChatMessage("system", "你是助手，用一句简体中文回答。"), ChatMessage("user", "中国的首都是哪座城市？")]


@pytest.fixture(scope="module")
def gguf_05b() -> Path:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is built by `make install`")
    return ensure_model("qwen2.5-0.5b", REPO / "var" / "models")


@pytest.fixture(scope="module")
def llama_model(gguf_05b: Path) -> LlamaCppChatModel:
    model = LlamaCppChatModel(gguf_05b, n_threads=2, n_ctx=2048)
    model.load()
    return model


async def test_llama_cpp_streams_real_tokens(llama_model: LlamaCppChatModel) -> None:
    pieces = [p async for p in llama_model.stream(SHORT, ChatOptions(max_tokens=12, temperature=0.0))]
    text = "".join(pieces)
    assert len(pieces) >= 2 and "北京" in text


async def test_llama_cpp_cancel_frees_the_model_quickly(llama_model: LlamaCppChatModel) -> None:
    long_reply = [ChatMessage("user", "请详细介绍一下中国的历史，至少写一千字。")]

    async def consume() -> None:
        async for _ in llama_model.stream(long_reply, ChatOptions(max_tokens=400, temperature=0.0)):
            first.set()

    first = asyncio.Event()
    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), timeout=60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = time.monotonic()
    # A second generation can only start once the cancelled one released the model.
    pieces = [p async for p in llama_model.stream(SHORT, ChatOptions(max_tokens=4, temperature=0.0))]
    assert pieces and time.monotonic() - started < 30  # 400 tokens would take far longer on 2 cores


@pytest.fixture(scope="module")
def llama_server(gguf_05b: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m llama_cpp.server` on 127.0.0.1, stopped after the module."""
    pytest.importorskip("llama_cpp.server", reason="the server extra is installed by `make install`")
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = log_path.open("wb")  # a file, not a pipe: llama.cpp's verbose start-up would fill a pipe and block
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_05b), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", "1024", "--n_threads", "2", "--model_alias", "qwen-0.5b"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 180 s")
            time.sleep(1)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


async def test_openai_backend_against_llama_cpp_server(llama_server: str) -> None:
    model = OpenAICompatibleChatModel(llama_server, "qwen-0.5b", api_key="unused", read_timeout_s=120)
    pieces = [p async for p in model.stream(SHORT, ChatOptions(max_tokens=12, temperature=0.0))]
    assert len(pieces) >= 2 and "北京" in "".join(pieces)


# ---------------------------------------------------------------- end to end on the real corpus


@pytest.fixture(scope="module")
def real_answerer(corpus_kb, llama_model: LlamaCppChatModel) -> Answerer:  # type: ignore[no-untyped-def]
    return Answerer(corpus_kb, llama_model, KioskConfig())


@pytest.mark.parametrize("style", ["quote", "generate"])
async def test_answers_a_real_question_with_a_real_citation(real_answerer: Answerer, style: str) -> None:
    config = KioskConfig()
    config.answering.style = style  # type: ignore[assignment]
    # what is checked here is the answer, not the speed: on 2 busy cores the 0.5B model's first token can take longer
    # than the kiosk's 30 s bound, which would degrade the turn to a quote (the bound has its own unit test)
    config.answering.first_token_timeout_s = 120.0
    config.answering.total_timeout_s = 240.0
    answer = await Answerer(real_answerer.kb, real_answerer.chat_model, config).answer("申领居住证要提交哪些证明材料")
    assert answer.mode is (AnswerMode.QUOTE if style == "quote" else AnswerMode.LLM) and not answer.refused
    assert any("居住证" in c.title for c in answer.citations)
    assert "身份证" in answer.spoken and answer.answer.startswith(answer.spoken)
    assert "《居住证暂行条例》第九条" in answer.answer  # the article in full on screen
    if style == "quote":
        assert len(answer.spoken) <= 100
    else:
        assert "依据《" in answer.spoken
    assert answer.timings.first_token_s is not None and answer.timings.retrieve_s is not None


@pytest.mark.parametrize(
    "question",
    ["你们这个大厅周六上不上班 下午几点关门", "驾驶证快到期了 去哪换 要不要体检", "办港澳通行证要多少钱 多久能拿到", "女职工产假一共有多少天"],
)
async def test_refuses_what_the_corpus_does_not_cover(real_answerer: Answerer, question: str) -> None:
    answer = await real_answerer.answer(question)
    assert answer.refused and answer.mode is AnswerMode.REFUSAL
    assert "12345" in answer.answer and answer.citations == []  # no unrelated rule is quoted
    assert "第" not in answer.answer


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("机动车驾驶证的有效期是多长？", "车管所"),  # the top passage is the ID card's validity (身份证法第五条)
        ("京牌小客车车主去世后亲属如何继承车辆？", "车管所"),
        ("家里停电了 电费在哪交", "供电"),
    ],
)
async def test_other_departments_services_are_referred_there(real_answerer: Answerer, question: str, where: str) -> None:
    answer = await real_answerer.answer(question)
    assert answer.refused and answer.mode is AnswerMode.REFUSAL and answer.citations == []
    assert where in answer.spoken and "12345" in answer.spoken and "第" not in answer.answer
    assert answer.hits  # what retrieval found stays on the record for the panel


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("有居住证的人能在居住地申领机动车驾驶证吗", "第十三条"),  # the statute names 驾驶证: answered, not referred
        ("下班路上出了交通事故 算不算工伤", "第十四条"),
    ],
)
async def test_a_service_the_statutes_name_is_answered_not_referred(real_answerer: Answerer, question: str, article: str) -> None:
    config = KioskConfig()
    config.answering.style = "quote"
    answer = await Answerer(real_answerer.kb, real_answerer.chat_model, config).answer(question)
    assert not answer.refused and article in [c.article for c in answer.citations]


async def test_a_name_the_2018_version_used_is_searched_as_the_2024_one(real_answerer: Answerer) -> None:
    config = KioskConfig()
    config.answering.style = "quote"
    answer = await Answerer(real_answerer.kb, real_answerer.chat_model, config).answer("上海的低收入困难家庭有特殊困难 能申请专项救助吗")
    assert answer.understood == "上海的最低生活保障边缘家庭有特殊困难 能申请专项救助吗"
    assert not answer.refused and answer.citations[0].title == "上海市社会救助条例"
    assert "“低收入困难家庭”是2018年版本的叫法，现行的2024年版本称“最低生活保障边缘家庭”。" in answer.spoken


async def test_model_server_down_degrades_to_a_quoted_passage(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    dead = OpenAICompatibleChatModel(f"http://127.0.0.1:{free_port()}/v1", "none", connect_timeout_s=1)
    config = KioskConfig()
    config.answering.style = "generate"  # the quote style calls no model at all
    answer = await Answerer(corpus_kb, dead, config).answer("孩子刚满十六周岁 得在多长时间里去办身份证")
    assert answer.mode is AnswerMode.DEGRADED and not answer.refused
    assert answer.citations and answer.spoken.startswith(config.answering.degraded_lead)
    assert "《居民身份证法》" in answer.answer
