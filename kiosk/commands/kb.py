"""`kiosk kb …`: ingest, list, remove and search the knowledge base."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from answering.followups import retrieval_query
from core.config import KioskConfig
from core.errors import KioskError
from core.models import IngestStatus
from core.safe_text import printable
from kiosk.commands import config_from_args
from kiosk.commands.ask import parse_history
from kiosk.commands.progress import IngestProgressReporter, PassageProgressReporter
from knowledge_base import KnowledgeBase, open_knowledge_base
from knowledge_base.reembed import reembed


def register(sub: argparse._SubParsersAction) -> None:
    kb = sub.add_parser("kb", help="manage and query the knowledge base")
    kb.add_argument("--kb", dest="kb_local", help="knowledge-base directory (same as the global --kb)")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="ACTION")

    p = kb_sub.add_parser("ingest", help="add or replace documents (files or folders; FAQ tables from CSV/XLSX)")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON result per file")
    p.set_defaults(func=cmd_ingest)

    p = kb_sub.add_parser("list", help="list documents with status, passages and effective date")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = kb_sub.add_parser("show", help="a document's record and its passages")
    p.add_argument("doc")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = kb_sub.add_parser(
        "renames", help="terms the version in force renamed from the one it superseded (said to citizens who use them)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_renames)

    p = kb_sub.add_parser("remove", help="delete a document (doc_id, file name or title) from every index")
    p.add_argument("doc")
    p.set_defaults(func=cmd_remove)

    p = kb_sub.add_parser(
        "reembed", help="copy the knowledge base into a new directory, every passage embedded by the configured engine"
    )
    p.add_argument("target", type=Path, help="new knowledge-base directory (resumed if an earlier run was stopped)")
    p.set_defaults(func=cmd_reembed)

    p = kb_sub.add_parser("search", help="retrieve passages for a question (or --jsonl questions on stdin)")
    p.add_argument("question", nargs="?")
    p.add_argument("-k", type=int, default=None, help="number of hits (default: retrieval.k)")
    p.add_argument("--json", action="store_true", help="print hits as a JSON list")
    p.add_argument(
        "--jsonl", action="store_true",
        help='read {"id","question","history"?} lines on stdin, write {"id","hits"}; a follow-up is searched as `kiosk ask` searches it',
    )
    p.set_defaults(func=cmd_search)


def _config(args: argparse.Namespace) -> KioskConfig:
    if getattr(args, "kb_local", None):
        args.kb = args.kb_local
    return config_from_args(args)


def _open(args: argparse.Namespace) -> KnowledgeBase:
    return open_knowledge_base(_config(args))


def cmd_ingest(args: argparse.Namespace) -> int:
    kb = _open(args)
    progress = IngestProgressReporter(sys.stderr)
    results = kb.ingest(args.paths, progress=progress)
    progress.close(len(results))
    for r in results:
        if args.json:
            print(json.dumps(r.to_dict(), ensure_ascii=False))
        else:
            mark = "✗" if r.status == IngestStatus.FAILED else "✓"
            print(f"{mark} {r.status.value:<9} {printable(r.message)}" + (f" [{r.error_code}]" if r.error_code else ""))
    failed = sum(r.status == IngestStatus.FAILED for r in results)
    print(f"{len(results) - failed} of {len(results)} file(s) processed, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    docs = _open(args).list_documents()
    if args.json:
        print(json.dumps([d.to_dict() for d in docs], ensure_ascii=False, indent=2))
        return 0
    for d in docs:
        extra = f" → superseded by {d.superseded_by}" if d.superseded_by else ""
        print(f"{d.doc_id}  {d.status.value:<10} {d.chunks:>4} passages  {d.effective_date or '-':<10}  {printable(d.source)}{extra}")
    print(f"{len(docs)} document(s)", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    kb = _open(args)
    doc = kb.get_document(args.doc)
    chunks = kb.document_chunks(doc.doc_id)
    if args.json:
        passages = [{"chunk_id": c.chunk_id, "article": c.article, "chapter": c.chapter, "text": c.text} for c in chunks]
        print(json.dumps({**doc.to_dict(), "passages": passages}, ensure_ascii=False, indent=2))
        return 0
    print(f"{printable(doc.title)}  [{doc.status.value}]  {printable(doc.source)}  effective {doc.effective_date or '-'}  version {doc.version}")
    for c in chunks:
        print(f"  {c.article or '-':<8} {printable(c.text[:90])}")
    return 0


def cmd_renames(args: argparse.Namespace) -> int:
    renames = _open(args).renames()
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in renames], ensure_ascii=False, indent=2))
        return 0
    for r in renames:
        print(f"{printable(r.title)}  {r.old_version or '-'} → {r.new_version or '-'}  {printable(r.old)} → {printable(r.new)}")
    print(f"{len(renames)} renamed term(s)", file=sys.stderr)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    doc = _open(args).remove(args.doc)
    print(f"removed {doc.doc_id} ({printable(doc.source)}, {doc.chunks} passages)")
    return 0


def _hits_json(kb: KnowledgeBase, question: str, k: int | None) -> list[dict]:
    fields = ("text", "score", "source", "title", "article", "doc_id", "effective_date")
    return [{f: getattr(h, f) for f in fields} for h in kb.search(question, k)]


def cmd_reembed(args: argparse.Namespace) -> int:
    config = _config(args)  # not opened: its vectors may be another engine's
    progress = PassageProgressReporter("reembed", sys.stderr)
    result = reembed(config, args.target, progress=progress)
    progress.close()
    prepared = _prepare_vectors(config, result.target)
    print(
        f"✓ {result.passages} passages of {result.documents} documents embedded by {result.model_name} into "
        f"{result.target} ({result.embedded} in this run, {result.seconds:.0f} s{prepared}); the knowledge base at "
        f"{config.paths.kb} is unchanged. Start the kiosk with --kb {result.target} (or set paths.kb) to use it."
    )
    return 0


def _prepare_vectors(config: KioskConfig, target: Path) -> str:
    """Embed the new directory's paragraph and statement vectors now, where no citizen waits; a kiosk started on
    it would otherwise embed them in the background while its first turns compute them. Returns a note for the
    summary."""
    copy = config.model_copy(deep=True)
    copy.paths.kb_dir = target
    notes = ""
    try:
        kb = open_knowledge_base(copy)
        try:
            if kb.paragraphs:
                progress = PassageProgressReporter("paragraphs", sys.stderr, unit="paragraph")
                notes += f", {kb.prepare_paragraphs(progress=progress)} paragraphs of long articles ready"
                progress.close()
            if kb.statements is not None:
                progress = PassageProgressReporter("statements", sys.stderr, unit="statement")
                notes += f", {kb.prepare_statements(progress=progress)} statements ready"
                progress.close()
        finally:
            kb.close()
    except KioskError as exc:  # the copy itself is complete; only these vectors wait for the kiosk's start
        print(f"paragraph and statement vectors not prepared ({exc.code}: {exc.message}); the kiosk prepares them "
              "when it starts", file=sys.stderr)  # fmt: skip
        return notes + ", the rest of the vectors left to the kiosk's start"
    return notes


def cmd_search(args: argparse.Namespace) -> int:
    kb = _open(args)
    if args.jsonl:
        for n, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                qid, question = item["id"], item["question"]
                history = parse_history(item.get("history"))
            except (ValueError, KeyError, TypeError):
                raise KioskError("bad-input", f'stdin line {n}: expected {{"id": ..., "question": ..., "history"?: ...}}') from None
            query = retrieval_query(question, history, kb.config.answering.history_turns)
            print(json.dumps({"id": qid, "hits": _hits_json(kb, query, args.k)}, ensure_ascii=False), flush=True)
        return 0
    if not args.question:
        raise KioskError("bad-input", "give a question, or --jsonl with questions on stdin")
    hits = _hits_json(kb, args.question, args.k)
    if args.json:
        print(json.dumps(hits, ensure_ascii=False, indent=2))
    else:
        for h in hits:
            print(f"{h['score']:.3f}  《{printable(h['title'])}》{h['article'] or ''}  ({printable(h['source'])})\n       {printable(h['text'][:100])}")
    return 0
