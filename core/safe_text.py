"""Show untrusted names (file names, zip member names) without letting them drive a terminal or a log.

Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides are written as
escapes, so a name like "a\\x1b[2Jb.md" is shown as `a\\x1b[2Jb.md` and cannot clear a screen or forge a log line.
"""

from __future__ import annotations

import re
from pathlib import PurePath

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str | PurePath) -> str:
    """`text` with every control or direction-changing character escaped (\\xNN or \\uNNNN)."""
    return _UNSAFE.sub(_escape, str(text))


def printable_name(path: str | PurePath) -> str:
    """The escaped last component of a path."""
    return printable(PurePath(path).name if not isinstance(path, PurePath) else path.name)
