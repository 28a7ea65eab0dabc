"""`kiosk ask`: answer one question (streamed text, or --json), or a batch from --jsonl on stdin.

Questions go through the same turn pipeline as the kiosk page (without recogniser and voice), so each is recorded
in the turn log like a kiosk turn, masked, under the session "cli" (`--no-record` for scripts and benchmarks).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from core.config import KioskConfig
from core.models import Answer, ChatMessage, PipelineEventType
from kiosk.commands import config_from_args
from kiosk.pipeline import TurnPipeline, TurnRequest
from kiosk.services import Default, Services

SESSION_ID = "cli"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="answer a citizen's question from the knowledge base, with citations")
    p.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming text")
    p.add_argument("--jsonl", action="store_true", help='read {"id","question","history"?} lines from stdin')
    p.add_argument("--history", action="append", default=[], help="a previous question of this conversation")
    p.add_argument("--no-record", action="store_true", help="do not record the questions in the panel's turn log")
    p.set_defaults(func=run)


def build_services(config: KioskConfig, record: bool) -> Services:
    return Services(config, store=Default.OPEN if record else None)


def parse_history(value: Any) -> list[ChatMessage]:
    """History as one previous question (string) or a list of {role, content} messages."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [ChatMessage("user", value)]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, str):
                out.append(ChatMessage("user", item))
            elif isinstance(item, dict) and isinstance(item.get("content"), str):
                out.append(ChatMessage(str(item.get("role", "user")), item["content"]))
            else:
                raise ValueError(f"history items must be strings or {{role, content}} objects, got {item!r}")
        return out
    raise ValueError(f"history must be a string or a list, got {type(value).__name__}")


def _print_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


async def _ask(pipeline: TurnPipeline, question: str, history: list[ChatMessage], echo: bool) -> Answer:
    """One turn; with `echo` the answer is printed as it streams."""
    final: Answer | None = None
    streamed = False
    async for event in pipeline.start(TurnRequest(text=question, session_id=SESSION_ID), history):
        if event.type is PipelineEventType.ANSWER_PARTIAL and echo and event.text:
            print(event.text, end="", flush=True)
            streamed = True
        elif event.type is PipelineEventType.ANSWER_END:
            final = event.answer
        elif event.type is PipelineEventType.ERROR and event.error is not None:
            print(f"warning: {event.error.get('code')}: {event.error.get('message')}", file=sys.stderr)
    assert final is not None  # the pipeline ends every turn with an answer, a fallback at worst
    if echo and not streamed:
        print(final.spoken, end="", flush=True)
    return final


async def _ask_one(pipeline: TurnPipeline, question: str, history: list[ChatMessage], as_json: bool) -> Answer:
    final = await _ask(pipeline, question, history, echo=not as_json)
    if as_json:
        _print_json(final.to_dict())
    else:
        sources = "；".join(c.label() for c in final.citations) or "无"
        shown = final.answer[len(final.spoken) :].strip()
        if shown:
            print(f"\n{shown}", flush=True)
        print(f"\n[{final.mode.value}] 引用：{sources}", flush=True)
    return final


async def _ask_batch(pipeline: TurnPipeline) -> int:
    failures = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        item_id: Any = None
        try:
            item = json.loads(line)
            item_id = item.get("id", number)
            question = item["question"]
            history = parse_history(item.get("history"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            failures += 1
            _print_json({"id": item_id if item_id is not None else number, "error": f"bad input line {number}: {exc}"})
            continue
        answer = await _ask(pipeline, question, history, echo=False)
        _print_json({"id": item_id, **answer.to_dict()})
    return 1 if failures else 0


async def _run(args: argparse.Namespace) -> int:
    services = build_services(config_from_args(args), record=not args.no_record)
    pipeline = services.text_pipeline()
    warm_up = getattr(pipeline.answerer, "warm_up", None)
    if callable(warm_up):
        await warm_up()
    if args.jsonl:
        return await _ask_batch(pipeline)
    history = [ChatMessage("user", q) for q in args.history]
    await _ask_one(pipeline, args.question, history, args.json)
    return 0


def run(args: argparse.Namespace) -> int:
    if bool(args.question) == bool(args.jsonl):
        print("error: give a question, or --jsonl with questions on stdin", file=sys.stderr)
        return 2
    return asyncio.run(_run(args))
