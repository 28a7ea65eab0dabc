"""Clients for bench_soak.py: kiosk screens and a staff member talking to a real `kiosk serve` over loopback HTTP,
the way the page and the panel do (Gradio queue and call APIs), and the end-of-run consistency check."""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from gradio_client.utils import apply_diff

_CITATION = re.compile(r'<li class="citation" title="([^"]*)">')
_CITIZEN = re.compile(r'<div class="bubble citizen">(.*?)</div>', re.S)


@dataclass
class Turn:
    screen: int
    question: str
    started: float
    ended: float = 0.0
    error: str | None = None
    answer: str = ""
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. 语音暂不可用，请看字幕 when the voice failed
    foreign_questions: list[str] = field(default_factory=list)  # questions on this screen it never asked


@dataclass
class StaffOp:
    op: str
    source: str
    started: float
    ended: float = 0.0
    ok: bool = False
    detail: str = ""


def _is_diff(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(d, list) and len(d) == 3 and isinstance(d[0], str) for d in value)


async def _stream_event(client: httpx.AsyncClient, prefix: str, session: str, event_id: str, timeout_s: float) -> dict:
    """Follow `queue/data` until our event completes; returns {"success", "data"} with diffs applied."""
    data: list[Any] | None = None
    async with client.stream("GET", f"{prefix}/gradio_api/queue/data", params={"session_hash": session},
                             timeout=httpx.Timeout(timeout_s, connect=10)) as stream:  # fmt: skip
        async for line in stream.aiter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("event_id") not in (None, event_id):
                continue
            kind = msg.get("msg")
            if kind in ("process_generating", "process_completed"):
                output = (msg.get("output") or {}).get("data") or []
                if data is None or not all(_is_diff(v) for v in output):
                    data = list(output) if output else data
                else:
                    data = [apply_diff(prev, diff) for prev, diff in zip(data, output, strict=False)]
                if kind == "process_completed":
                    error = None if msg.get("success", True) else json.dumps(msg.get("output"), ensure_ascii=False)[:200]
                    return {"success": msg.get("success", True), "data": data or [], "error": error}
            elif kind == "close_stream":
                break
    return {"success": False, "data": data or [], "error": "stream closed before completion"}


class Screen:
    """One kiosk screen: its own Gradio session, asking the page's text question event."""

    def __init__(self, base_url: str, index: int, fn_index: int, trigger_id: int) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(180, connect=10))
        self.index = index
        self.session = f"soak{index}x{random.randrange(1 << 30):x}"
        self.fn_index = fn_index
        self.trigger_id = trigger_id
        self.asked: set[str] = set()

    async def ask(self, question: str, timeout_s: float = 180.0) -> Turn:
        turn = Turn(self.index, question, time.time())
        self.asked.add(question)
        body = {"data": [question], "event_data": None, "fn_index": self.fn_index, "trigger_id": self.trigger_id,
                "session_hash": self.session}  # fmt: skip
        try:
            joined = await self.client.post("/gradio_api/queue/join", json=body)
            joined.raise_for_status()
            result = await _stream_event(self.client, "", self.session, joined.json()["event_id"], timeout_s)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            turn.error = f"{type(exc).__name__}: {exc}"[:200]
            turn.ended = time.time()
            return turn
        turn.ended = time.time()
        if not result["success"]:
            turn.error = result["error"]
            return turn
        conversation = str(result["data"][0]) if result["data"] else ""
        exchanges = conversation.split('<div class="exchange"')[1:]
        last = exchanges[-1] if exchanges else ""
        answer = re.search(r'<div class="bubble assistant">(.*?)(<ul class="citations"|<div class="note"|$)', last, re.S)
        turn.answer = html.unescape(re.sub(r"<[^>]+>", "", answer.group(1))).strip() if answer else ""
        turn.sources = [html.unescape(s) for s in _CITATION.findall(last)]
        turn.notes = [html.unescape(n) for n in re.findall(r'<div class="note">([^<]*)</div>', last)]
        shown = [html.unescape(q).strip() for q in _CITIZEN.findall(conversation)]
        turn.foreign_questions = [q for q in shown if q not in self.asked]
        if not turn.answer or "正在查找" in turn.answer:
            turn.error = "no answer on screen"
        return turn

    async def close(self) -> None:
        await self.client.aclose()


async def page_event_ids(base_url: str) -> tuple[int, int]:
    """(fn_index, trigger id) of the page's 发送 button, read from the page's Gradio config."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        config = (await client.get("/config")).json()
    send = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "send-button")
    for index, dep in enumerate(config["dependencies"]):
        if any(t[0] == send for t in dep.get("targets", [])):
            return int(dep.get("id", index)), send
    raise RuntimeError("the kiosk page has no event on its send button")


def sqlite_doc_id(registry: Path) -> Callable[[str], str | None]:
    """Look documents up by source in a single box's registry file, read-only."""

    def lookup(source: str) -> str | None:
        with sqlite3.connect(f"file:{registry}?mode=ro", uri=True, timeout=10) as db:
            row = db.execute("SELECT doc_id FROM documents WHERE source = ?", (source,)).fetchone()
        return row[0] if row else None

    return lookup


class Staff:
    """A staff member using the panel's Gradio API, with the browser's Origin header."""

    def __init__(self, base_url: str, user: str, password: str, doc_id: Callable[[str], str | None]) -> None:
        """`doc_id(source)`: the document's id in the registry the panel writes (see `sqlite_doc_id`)."""
        self.client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(600, connect=10),
                                        headers={"origin": base_url.rstrip("/")})  # fmt: skip
        self.user, self.password, self.doc_id = user, password, doc_id

    async def login(self) -> None:
        response = await self.client.post("/admin/login", data={"username": self.user, "password": self.password})
        if not any(r.status_code == 303 for r in response.history) and response.status_code != 303:
            raise RuntimeError(f"staff login failed: {response.status_code} {response.text[:200]}")

    async def _call(self, api: str, data: list[Any]) -> tuple[bool, str]:
        started = await self.client.post(f"/admin/kb/gradio_api/call/{api}", json={"data": data})
        if started.status_code != 200:
            return False, f"HTTP {started.status_code}: {started.text[:200]}"
        stream = await self.client.get(f"/admin/kb/gradio_api/call/{api}/{started.json()['event_id']}")
        event, payload = "", ""
        for line in stream.text.splitlines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                payload = line[6:]
        return event == "complete", payload[:300]

    async def _upload(self, path: Path, name: str | None = None) -> dict[str, Any]:
        files = {"files": (name or path.name, path.read_bytes())}
        response = await self.client.post("/admin/kb/gradio_api/upload", files=files)
        response.raise_for_status()
        return {"path": response.json()[0], "orig_name": name or path.name, "meta": {"_type": "gradio.FileData"}}

    async def probe_foreign_file(self, path: Path) -> int:
        """Name a server file that was never uploaded in an ingest call: the panel must refuse it (403)."""
        data = [[{"path": str(path), "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}]]
        return (await self.client.post("/admin/kb/gradio_api/call/ingest", json={"data": data})).status_code

    async def run(self, op: str, path: Path, revision: int = 0) -> StaffOp:
        record = StaffOp(op, path.name, time.time())
        try:
            if op == "ingest":
                record.ok, record.detail = await self._call("ingest", [[await self._upload(path)]])
            else:
                doc = await asyncio.to_thread(self.doc_id, path.name)
                if doc is None:
                    record.detail = "not in the registry"
                elif op == "replace":
                    revised = path.read_text(encoding="utf-8") + f"\n\n附：本文件为第{revision}次修订稿。\n"
                    staged = path.with_name(f"rev-{path.name}")
                    staged.write_text(revised, encoding="utf-8")
                    record.ok, record.detail = await self._call("replace_document", [doc, await self._upload(staged)])
                else:
                    record.ok, record.detail = await self._call(f"{op}_document", [doc, None])
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            record.detail = f"{type(exc).__name__}: {exc}"[:200]
        record.ended = time.time()
        return record

    async def close(self) -> None:
        await self.client.aclose()


def unavailable_intervals(ops: list[StaffOp], end: float) -> dict[str, list[tuple[float, float]]]:
    """Per source: when it was certainly not retrievable (from a finished delete/retire to the next restore)."""
    gone: dict[str, list[tuple[float, float]]] = {}
    since: dict[str, float] = {}
    for op in sorted(ops, key=lambda o: o.started):
        if not op.ok:
            continue
        if op.op in ("delete", "retire"):
            since.setdefault(op.source, op.ended)
        elif op.op in ("ingest", "activate") and op.source in since:
            gone.setdefault(op.source, []).append((since.pop(op.source), op.started))
    for source, start in since.items():
        gone.setdefault(source, []).append((start, end))
    return gone


def wrong_source(turns: list[Turn], gone: dict[str, list[tuple[float, float]]]) -> list[Turn]:
    return [t for t in turns if any(a <= t.started and t.ended <= b for s in t.sources for a, b in gone.get(s, []))]


def consistency(kb_dir: Path, uploads: Path, collection: str, expected: set[str]) -> dict[str, Any]:
    """Registry vs Chroma vectors vs files, read without opening the knowledge base (which would sweep)."""
    import chromadb
    from chromadb.config import Settings

    with sqlite3.connect(f"file:{kb_dir / 'registry.sqlite'}?mode=ro", uri=True) as db:
        docs = db.execute(
            "SELECT d.doc_id, d.source, d.status, COUNT(c.chunk_id) FROM documents d "
            "LEFT JOIN chunks c ON c.doc_id = d.doc_id GROUP BY d.doc_id"
        ).fetchall()
        chunk_ids = {row[0]: row[1] for row in db.execute("SELECT chunk_id, doc_id FROM chunks")}
    client = chromadb.PersistentClient(path=str(kb_dir / "chroma"), settings=Settings(anonymized_telemetry=False))
    vector_ids = set(client.get_collection(collection).get(include=[])["ids"])
    by_doc: dict[str, int] = {}
    for chunk, doc in chunk_ids.items():
        by_doc[doc] = by_doc.get(doc, 0) + (chunk in vector_ids)
    sources = {source for _, source, _, _ in docs}
    short = [f"{source}: {by_doc.get(doc, 0)}/{chunks} vectors" for doc, source, _, chunks in docs
             if by_doc.get(doc, 0) < chunks]  # fmt: skip
    inactive = [f"{source}: {status}" for _, source, status, _ in docs if status != "active" and source in expected]
    leftovers = sorted(p.name for p in uploads.glob("*") if p.is_file() and p.name not in sources) if uploads.exists() else []
    return {
        "documents": len(docs),
        "missing_documents": sorted(expected - sources),
        "documents_short_of_vectors": short,
        "expected_but_inactive": inactive,
        "unexpected_documents": sorted(sources - expected),
        "orphan_vectors": len(vector_ids - set(chunk_ids)),
        "vectors": len(vector_ids),
        "chunks": len(chunk_ids),
        "upload_files_not_in_registry": leftovers,
    }


async def sleep_until(deadline: float, step: float) -> bool:
    """Sleep `step` seconds unless the deadline comes first; False once it has passed."""
    remaining = deadline - time.time()
    if remaining <= 0:
        return False
    await asyncio.sleep(min(step, remaining))
    return time.time() < deadline
