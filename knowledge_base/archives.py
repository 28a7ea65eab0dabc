"""Zip files, read as hostile input: uploaded archives of documents, and the zip packages inside DOCX/XLSX.

Every limit is checked while bytes are being decompressed, never after: a member is streamed to disk in pieces
and stopped at its cap. Unsupported, oversized, encrypted, linked or path-escaping members are never written;
everything written for an archive that is rejected as a whole is removed again.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from core.config import KnowledgeBaseConfig
from core.errors import IngestError
from core.models import IngestResult, IngestStatus
from core.safe_text import printable

_MB = 1024 * 1024
_PIECE = 1 << 20  # bytes decompressed per read


@dataclass(frozen=True)
class UnpackLimits:
    max_total_bytes: int = 200 * _MB  # all members of one archive
    max_member_bytes: int = 50 * _MB  # one member (kb.max_file_mb)
    max_members: int = 500
    max_xml_bytes: int = 25 * _MB  # XML parts of one DOCX/XLSX

    @classmethod
    def from_config(cls, kb: KnowledgeBaseConfig) -> UnpackLimits:
        return cls(
            max_total_bytes=int(kb.max_decompressed_mb * _MB),
            max_member_bytes=int(kb.max_file_mb * _MB),
            max_members=kb.max_archive_members,
            max_xml_bytes=int(kb.max_office_xml_mb * _MB),
        )


@dataclass
class Unpacked:
    """Files ready to ingest, and one FAILED result per rejected upload, archive or member."""

    paths: list[Path] = field(default_factory=list)
    failures: list[IngestResult] = field(default_factory=list)

    def reject(self, shown: str, code: str, reason: str) -> None:
        self.failures.append(IngestResult(shown, IngestStatus.FAILED, message=f"{shown}: {reason}", error_code=code))


class _ArchiveRejected(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _mb(n: int) -> str:
    return f"{n / _MB:.0f} MB" if n >= _MB else f"{n / 1024:.0f} kB"


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _safe_parts(name: str) -> list[str] | None:
    """The member's path as safe parts, or None when it is absolute or climbs out (`..`)."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return parts


def _copy_capped(source: BinaryIO, target: Path, cap: int, budget: int) -> int:
    """Stream `source` into `target`; OverflowError("member") past `cap` bytes, OverflowError("total") past `budget`."""
    written = 0
    with target.open("wb") as out:
        while True:
            piece = source.read(_PIECE)
            if not piece:
                return written
            written += len(piece)
            if written > cap:
                raise OverflowError("member")
            if written > budget:
                raise OverflowError("total")
            out.write(piece)


def _unpack_zip(source: Path, shown: str, target_root: Path, limits: UnpackLimits, result: Unpacked) -> None:
    from knowledge_base.loaders import SUPPORTED_SUFFIXES

    if not zipfile.is_zipfile(source):
        raise _ArchiveRejected("bad-zip", "not a valid zip file (damaged or another format); zip it again")
    with zipfile.ZipFile(source) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > limits.max_members:
            raise _ArchiveRejected(
                "zip-too-many-files",
                f"holds {len(members)} files, over the limit of {limits.max_members} (kb.max_archive_members); split it",
            )
        wanted = [(m, parts) for m in members if (parts := _admit(m, shown, result, limits, SUPPORTED_SUFFIXES))]
        declared = sum(m.file_size for m, _ in wanted)
        if declared > limits.max_total_bytes:
            raise _ArchiveRejected(
                "zip-too-large",
                f"unpacks to {_mb(declared)}, over the {_mb(limits.max_total_bytes)} limit (kb.max_decompressed_mb)",
            )
        budget = limits.max_total_bytes
        for member, parts in wanted:
            label = f"{shown}/{printable(member.filename)}"
            target = target_root.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(member) as data:
                    budget -= _copy_capped(data, target, limits.max_member_bytes, budget)
            except OverflowError as exc:
                target.unlink(missing_ok=True)
                if str(exc) == "total":
                    raise _ArchiveRejected(
                        "zip-too-large", f"unpacks to more than {_mb(limits.max_total_bytes)} (kb.max_decompressed_mb)"
                    ) from None
                result.reject(label, "too-large", f"unpacks to more than {_mb(limits.max_member_bytes)} (kb.max_file_mb)")
                continue
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                target.unlink(missing_ok=True)
                result.reject(label, "zip-member-corrupt", f"could not be unpacked ({type(exc).__name__}); zip it again")
                continue
            result.paths.append(target)


def _admit(
    member: zipfile.ZipInfo, shown: str, result: Unpacked, limits: UnpackLimits, supported: set[str]
) -> list[str] | None:
    """The member's safe path parts when it is to be unpacked; else None, with a rejection unless it is hidden."""
    label = f"{shown}/{printable(member.filename)}"
    parts = _safe_parts(member.filename)
    if parts is None:
        result.reject(label, "zip-unsafe-path", "path leaves the archive (absolute or '..'); not unpacked")
        return None
    if not parts or any(p.startswith((".", "__MACOSX")) for p in parts):
        return None  # hidden files and macOS resource forks
    if _is_link(member):
        result.reject(label, "zip-link", "is a symbolic link; links are not unpacked")
        return None
    if member.flag_bits & 0x1:
        result.reject(label, "zip-encrypted", "is password-protected; add it unencrypted")
        return None
    suffix = PurePosixPath(parts[-1]).suffix.lower()
    if suffix == ".zip":
        result.reject(label, "zip-nested", "is a zip inside the zip; upload it on its own")
        return None
    if suffix not in supported:
        kinds = ", ".join(sorted(supported))
        result.reject(label, "unsupported-type", f"type '{suffix or '(none)'}' is not supported ({kinds}); not unpacked")
        return None
    if member.file_size > limits.max_member_bytes:
        result.reject(label, "too-large", f"unpacks to {_mb(member.file_size)}, over {_mb(limits.max_member_bytes)} (kb.max_file_mb)")
        return None
    return parts


def unpack_uploads(files: Sequence[str | Path], upload_dir: Path, limits: UnpackLimits | None = None) -> Unpacked:
    """Copy uploaded files under `upload_dir` and expand zips, each into its own folder (member paths kept).

    A bad upload becomes a FAILED result and the others go on. Two uploads with the same name in one request:
    the second is refused, never silently put over the first.
    """
    from knowledge_base.loaders import SUPPORTED_SUFFIXES

    limits = limits or UnpackLimits()
    upload_dir.mkdir(parents=True, exist_ok=True)
    result = Unpacked()
    names_seen: set[str] = set()
    for file in files:
        source = Path(file)
        shown = printable(source.name)
        if source.suffix.lower() == ".zip":
            target_root = Path(tempfile.mkdtemp(prefix="zip-", dir=upload_dir))
            before, failed_before = len(result.paths), len(result.failures)
            try:
                _unpack_zip(source, shown, target_root, limits, result)
                continue
            except _ArchiveRejected as exc:
                code, reason = exc.code, exc.reason
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                code, reason = "bad-zip", f"could not be read as a zip ({type(exc).__name__}); zip it again"
            del result.paths[before:], result.failures[failed_before:]
            shutil.rmtree(target_root, ignore_errors=True)  # nothing of a rejected archive stays on disk
            result.reject(shown, code, reason)
            continue
        if source.name in names_seen:
            result.reject(shown, "duplicate-name", "another upload in this batch has the same name; rename one and upload it again")
            continue
        names_seen.add(source.name)
        if source.suffix.lower() not in SUPPORTED_SUFFIXES:
            kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
            result.reject(shown, "unsupported-type", f"type '{source.suffix.lower() or '(none)'}' is not supported ({kinds})")
            continue
        if source.stat().st_size > limits.max_member_bytes:
            result.reject(shown, "too-large", f"is {_mb(source.stat().st_size)}, over {_mb(limits.max_member_bytes)} (kb.max_file_mb)")
            continue
        target = upload_dir / source.name
        shutil.copyfile(source, target)
        result.paths.append(target)
    return result


def check_office_package(path: Path, limits: UnpackLimits, kind: str) -> None:
    """Refuse a DOCX/XLSX whose parts would unpack past the limits, before any parser reads it.

    Declared sizes are checked from the central directory; then every part is decompressed in pieces (nothing
    kept) so a member that lies about its size is caught at the cap too, and damaged parts are found.
    """
    name = printable(path.name)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise IngestError(f"{kind}-corrupt", f"{name}: {kind.upper()} is damaged or not a {kind.upper()} file ({type(exc).__name__})", str(path)) from None
    with archive:
        members = archive.infolist()
        if len(members) > max(limits.max_members, 2000):
            raise IngestError(f"{kind}-too-complex", f"{name}: {kind.upper()} holds {len(members)} parts; re-save it", str(path))
        xml = [m for m in members if m.filename.lower().endswith((".xml", ".rels"))]
        declared_xml = sum(m.file_size for m in xml)
        declared_all = sum(m.file_size for m in members)
        bomb = (
            f"{name}: {kind.upper()} unpacks to {{size}} of {{what}}, over the {{limit}} limit ({{key}}); "
            "it may be a decompression bomb, or save it again without embedded objects"
        )
        if declared_xml > limits.max_xml_bytes:
            raise IngestError(f"{kind}-too-large", bomb.format(size=_mb(declared_xml), what="XML", limit=_mb(limits.max_xml_bytes), key="kb.max_office_xml_mb"), str(path))
        if declared_all > limits.max_total_bytes:
            raise IngestError(f"{kind}-too-large", bomb.format(size=_mb(declared_all), what="content", limit=_mb(limits.max_total_bytes), key="kb.max_decompressed_mb"), str(path))
        xml_names = {m.filename for m in xml}
        seen_xml = seen_all = 0
        for member in members:
            try:
                with archive.open(member) as data:
                    while piece := data.read(_PIECE):
                        seen_all += len(piece)
                        seen_xml += len(piece) if member.filename in xml_names else 0
                        if seen_xml > limits.max_xml_bytes:
                            over = bomb.format(size=f"more than {_mb(limits.max_xml_bytes)}", what="XML",
                                               limit=_mb(limits.max_xml_bytes), key="kb.max_office_xml_mb")
                            raise IngestError(f"{kind}-too-large", over, str(path))
                        if seen_all > limits.max_total_bytes:
                            over = bomb.format(size=f"more than {_mb(limits.max_total_bytes)}", what="content",
                                               limit=_mb(limits.max_total_bytes), key="kb.max_decompressed_mb")
                            raise IngestError(f"{kind}-too-large", over, str(path))
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise IngestError(f"{kind}-corrupt", f"{name}: part {printable(member.filename)} is damaged ({type(exc).__name__}); re-save the file", str(path)) from None
