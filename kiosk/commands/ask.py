"""`kiosk ask`: answer one question (streamed text, or --json), or a batch from --jsonl on stdin."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from kiosk.commands import config_from_args
from core.models import Answer, AnswerDone, AnswerSpoken, ChatMessage


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="answer a citizen's question from the knowledge base, with citations")
    p.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming text")
    p.add_argument("--jsonl", action="store_true", help='read {"id","question","history"?} lines from stdin')
    p.add_argument("--history", action="append", default=[], help="a previous question of this conversation")
    p.set_defaults(func=run)


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


async def _ask_one(answerer: Any, question: str, history: list[ChatMessage], as_json: bool) -> Answer:
    final: Answer | None = None
    async for event in answerer.stream(question, history):
        if isinstance(event, AnswerDone):
            final = event.answer
        elif isinstance(event, AnswerSpoken) and not as_json:
            print(event.text, end="", flush=True)
    assert final is not None
    if as_json:
        _print_json(final.to_dict())
    else:
        sources = "；".join(c.label() for c in final.citations) or "无"
        shown = final.answer[len(final.spoken) :].strip()
        if shown:
            print(f"\n{shown}", flush=True)
        print(f"\n[{final.mode.value}] 引用：{sources}", flush=True)
    return final


async def _ask_batch(answerer: Any) -> int:
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
        answer = await answerer.answer(question, history)
        _print_json({"id": item_id, **answer.to_dict()})
    return 1 if failures else 0


async def _run(args: argparse.Namespace) -> int:
    from answering import build_answerer

    answerer = build_answerer(config_from_args(args))
    await answerer.warm_up()
    if args.jsonl:
        return await _ask_batch(answerer)
    history = [ChatMessage("user", q) for q in args.history]
    await _ask_one(answerer, args.question, history, args.json)
    return 0


def run(args: argparse.Namespace) -> int:
    if bool(args.question) == bool(args.jsonl):
        print("error: give a question, or --jsonl with questions on stdin", file=sys.stderr)
        return 2
    return asyncio.run(_run(args))
