"""Bad files and bad audio, generated at run time (nothing binary is committed).

Each `Case` makes its input under a folder and says what must come of it: the error codes that count as a
clear refusal, or "ok" for the good files mixed into a batch. `scale="unit"` keeps every file small (tests lower
the limits to match); `scale="bench"` builds the full-size attacks of issue 12 (1 GiB DOCX XML, 40 MB text,
20 × 49 MB zip members, one hour of audio).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MB = 1024 * 1024
GOOD_STATUTE = "# 示例管理办法\n\n第一条 为了规范示例事项，制定本办法。\n\n第二条 申请人应当提交身份证明和申请表。\n"


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "document" (kb.ingest), "zip" (upload unpacking then ingest), "audio" (load_audio)
    expect: frozenset[str]  # error codes that are a clear refusal; "ok" when the file must go in
    make: Callable[[Path, str], Path]


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]], level: int = 9) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def _zip_streamed(path: Path, name: str, chunk: bytes, total: int) -> Path:
    """One member of `total` bytes of `chunk` repeated, written in pieces (never all in memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open(_deflated(name), "w", force_zip64=True) as out:
            piece = chunk * (MB // len(chunk))
            written = 0
            while written < total:
                out.write(piece[: total - written])
                written += len(piece)
    return path


def _docx_members(document_xml: bytes) -> list[tuple[str, bytes]]:
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    return [("[Content_Types].xml", content_types), ("_rels/.rels", rels), ("word/document.xml", document_xml)]


def _docx_bomb(path: Path, scale: str) -> Path:
    """A DOCX whose document.xml is one paragraph padded with whitespace: 1 GiB that packs to about 1 MB."""
    total = 1024 * MB if scale == "bench" else 40 * MB
    head = _docx_members(b"")[:2]
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in head:
            zf.writestr(name, data)
        with zf.open(_deflated("word/document.xml"), "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            piece = b" " * MB
            for _ in range(total // MB):
                out.write(piece)
            out.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


def _lying_docx(path: Path, scale: str) -> Path:
    """A DOCX whose directory claims document.xml unpacks to 1 kB while it holds 100 MB (16 MB unit)."""
    total = 100 * MB if scale == "bench" else 16 * MB
    members = _docx_members(b"")[:2]
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members:
            zf.writestr(name, data)
        with zf.open(_deflated("word/document.xml"), "w") as out:
            for _ in range(total // MB):
                out.write(b" " * MB)
    data = bytearray(path.read_bytes())
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if signature == b"PK\x03\x04":
                name_len = int.from_bytes(data[at + 26 : at + 28], "little")
            else:
                name_len = int.from_bytes(data[at + 28 : at + 30], "little")
            if data[name_at : name_at + name_len] == b"word/document.xml":
                data[at + size_at : at + size_at + 4] = (1000).to_bytes(4, "little")
            start = at + 4
    return _write(path, bytes(data))


def _pdf_bytes(text: str, padding_mb: int = 0) -> bytes:
    """A one-page PDF with `text` in Helvetica, xref offsets computed; `padding_mb` of blanks before the text
    makes its content stream a Flate bomb (1 GiB packs to about 1 MB)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    flate = b""
    if padding_mb:
        packer = zlib.compressobj(9)
        stream = b"".join([packer.compress(b" " * MB) for _ in range(padding_mb)] + [packer.compress(stream), packer.flush()])
        flate = b" /Filter /FlateDecode"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), flate) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _encrypted_pdf(path: Path, scale: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_bytes("Article 1 applies to all residents."))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return _write(path, buffer.getvalue())


def _wav_header(data_bytes: int, rate: int = 16000) -> bytes:
    return b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", data_bytes)


def _long_wav(path: Path, seconds: int) -> Path:
    """`seconds` of quiet noise, written in pieces."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    with path.open("wb") as out:
        out.write(_wav_header(seconds * 32000))
        for _ in range(seconds // 60):
            out.write((rng.standard_normal(16000 * 60) * 300).astype("<i2").tobytes())
        out.write(np.zeros(16000 * (seconds % 60), dtype="<i2").tobytes())
    return path


def _many_lines(path: Path, scale: str) -> Path:
    """40 MB of distinct sentences (bench): 524,288 passages under the old code."""
    total = 40 * MB if scale == "bench" else 400_000
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        written, n = 0, 0
        while written < total:
            line = f"第{n}条 申请人应当按照规定提交第{n}号材料并在办理期限内完成手续。\n"
            out.write(line)
            written += len(line.encode())
            n += 1
    return path


def _nested_zip(path: Path, scale: str) -> Path:
    data = GOOD_STATUTE.encode()
    inner_name = "inner.md"
    for depth in range(12):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr(inner_name, data)
        data, inner_name = buffer.getvalue(), f"level{depth}.zip"
    return _zip(path, [(inner_name, data), ("good/办法.md", GOOD_STATUTE.encode())])


def _symlink_zip(path: Path, scale: str) -> Path:
    link = zipfile.ZipInfo("link.md")
    link.external_attr = (0o120777 << 16)  # a symbolic link to /etc/passwd
    return _zip(path, [(link, b"/etc/passwd"), ("good/办法.md", GOOD_STATUTE.encode())])


def _unsupported_bomb_zip(path: Path, scale: str) -> Path:
    """20 members of an unsupported type, 49 MB each unpacked (bench): 981 MB written by the old code."""
    size = 49 * MB if scale == "bench" else 2 * MB
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zeros = b"\0" * MB
        for n in range(20):
            with zf.open(_deflated(f"data{n}.bin"), "w", force_zip64=True) as out:
                for _ in range(size // MB):
                    out.write(zeros)
        zf.writestr("good/办法.md", GOOD_STATUTE)
    return path


def _total_bomb_zip(path: Path, scale: str) -> Path:
    """Supported members whose total unpacks past kb.max_decompressed_mb (250 MB bench, 3 MB unit)."""
    size = 25 * MB if scale == "bench" else 300_000
    members = [(f"part{n}.md", (f"第{n}条 " + "空白" * (size // 6)).encode()) for n in range(10)]
    return _zip(path, members)


CASES: list[Case] = [
    Case("nul-bytes.txt", "document", frozenset({"not-text"}), lambda d, s: _write(d / "nul-bytes.txt", b"\0" * (MB if s == "bench" else 4096))),
    Case("random-binary.md", "document", frozenset({"not-text", "bad-encoding"}),
         lambda d, s: _write(d / "random-binary.md", np.random.default_rng(1).integers(0, 256, 200_000, dtype=np.uint8).tobytes())),
    Case("zero-bytes.md", "document", frozenset({"empty"}), lambda d, s: _write(d / "zero-bytes.md", b"")),
    Case("forty-mb.txt", "document", frozenset({"too-many-passages"}), lambda d, s: _many_lines(d / "forty-mb.txt", s)),
    Case("huge-single-line.txt", "document", frozenset({"too-many-passages"}),
         lambda d, s: _write(d / "huge-single-line.txt", ("规" * (8 * MB if s == "bench" else 150_000)).encode())),
    Case("truncated.pdf", "document", frozenset({"pdf-corrupt", "pdf-no-text"}),
         lambda d, s: _write(d / "truncated.pdf", _pdf_bytes("Article 1 applies to all residents.")[:200])),
    Case("pdf-bomb.pdf", "document", frozenset({"pdf-too-large"}),
         lambda d, s: _write(d / "pdf-bomb.pdf", _pdf_bytes("Article 1", padding_mb=1024 if s == "bench" else 100))),
    Case("encrypted.pdf", "document", frozenset({"pdf-encrypted"}), lambda d, s: _encrypted_pdf(d / "encrypted.pdf", s)),
    Case("text-named.pdf", "document", frozenset({"pdf-corrupt"}), lambda d, s: _write(d / "text-named.pdf", GOOD_STATUTE.encode())),
    Case("docx-bomb.docx", "document", frozenset({"docx-too-large"}), lambda d, s: _docx_bomb(d / "docx-bomb.docx", s)),
    Case("docx-lying-sizes.docx", "document", frozenset({"docx-corrupt"}), lambda d, s: _lying_docx(d / "docx-lying-sizes.docx", s)),
    Case("malformed.docx", "document", frozenset({"docx-corrupt"}),
         lambda d, s: _zip(d / "malformed.docx", _docx_members(b"<w:document><unclosed"))),
    Case("not-a-zip.docx", "document", frozenset({"docx-corrupt"}), lambda d, s: _write(d / "not-a-zip.docx", b"PK\x03\x04 broken")),
    Case("malformed.xlsx", "document", frozenset({"xlsx-corrupt"}),
         lambda d, s: _zip(d / "malformed.xlsx", [("[Content_Types].xml", b"<Types"), ("xl/workbook.xml", b"garbage")])),
    Case("xlsx-bomb.xlsx", "document", frozenset({"xlsx-too-large"}),
         lambda d, s: _zip_streamed(d / "xlsx-bomb.xlsx", "xl/sharedStrings.xml", b"<si><t>x</t></si>", 1024 * MB if s == "bench" else 40 * MB)),
    Case("gbk.md", "document", frozenset({"ok"}), lambda d, s: _write(d / "gbk.md", GOOD_STATUTE.replace("示例", "国标").encode("gbk"))),
    Case("utf16-bom.txt", "document", frozenset({"ok"}),
         lambda d, s: _write(d / "utf16-bom.txt", GOOD_STATUTE.replace("示例", "宽字").encode("utf-16"))),
    Case("escape\x1b[2Jname\x07.md", "document", frozenset({"not-text"}),
         lambda d, s: _write(d / "escape\x1b[2Jname\x07.md", b"\0\x01\x02" * 1000)),
    Case("good.md", "document", frozenset({"ok"}), lambda d, s: _write(d / "good.md", GOOD_STATUTE.replace("示例", "良好").encode())),
    # zip uploads
    Case("not-a-zip.zip", "zip", frozenset({"bad-zip"}), lambda d, s: _write(d / "not-a-zip.zip", b"not a zip at all")),
    Case("traversal.zip", "zip", frozenset({"zip-unsafe-path"}),
         lambda d, s: _zip(d / "traversal.zip", [("../../evil.md", b"# x\n\nevil"), ("/etc/evil.md", b"evil"), ("good/办法.md", GOOD_STATUTE.encode())])),
    Case("symlink.zip", "zip", frozenset({"zip-link"}), lambda d, s: _symlink_zip(d / "symlink.zip", s)),
    Case("nested.zip", "zip", frozenset({"zip-nested"}), lambda d, s: _nested_zip(d / "nested.zip", s)),
    Case("unsupported-bomb.zip", "zip", frozenset({"unsupported-type"}), lambda d, s: _unsupported_bomb_zip(d / "unsupported-bomb.zip", s)),
    Case("total-bomb.zip", "zip", frozenset({"zip-too-large"}), lambda d, s: _total_bomb_zip(d / "total-bomb.zip", s)),
    Case("many-members.zip", "zip", frozenset({"zip-too-many-files"}),
         lambda d, s: _zip(d / "many-members.zip", [(f"f{n}.md", b"x") for n in range(600)], level=1)),
    Case("same-name.zip", "zip", frozenset({"ok"}),
         lambda d, s: _zip(d / "same-name.zip", [("dupA/规定.md", GOOD_STATUTE.replace("示例", "甲地").encode()),
                                                  ("dupB/规定.md", GOOD_STATUTE.replace("示例", "乙地").encode())])),
    # audio
    Case("zero-length.wav", "audio", frozenset({"audio-empty"}), lambda d, s: _write(d / "zero-length.wav", b"")),
    Case("bogus-header.wav", "audio", frozenset({"audio-undecodable"}), lambda d, s: _write(d / "bogus-header.wav", b"RIFF\xff\xff\xff\xffWAVEjunk" + b"\x13" * 5000)),
    Case("text-named.wav", "audio", frozenset({"audio-undecodable"}), lambda d, s: _write(d / "text-named.wav", GOOD_STATUTE.encode())),
    Case("header-claims-10h.wav", "audio", frozenset({"ok"}),
         lambda d, s: _write(d / "header-claims-10h.wav", _wav_header(10 * 3600 * 32000) + (np.ones(16000, "<i2") * 100).tobytes())),
    Case("one-hour.wav", "audio", frozenset({"audio-too-long"}), lambda d, s: _long_wav(d / "one-hour.wav", 3600 if s == "bench" else 90)),
]


def case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)
