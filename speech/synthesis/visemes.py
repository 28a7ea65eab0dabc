"""Mouth shapes for lip sync from Baker/pinyin phones (the avatar draws ~9 shapes)."""

from __future__ import annotations

REST = "rest"
_INITIALS = {
    "b": "MBP", "p": "MBP", "m": "MBP", "f": "FV",
    "d": "DNL", "t": "DNL", "n": "DNL", "l": "DNL",
    "g": "KG", "k": "KG", "h": "KG",
    "j": "SZ", "q": "SZ", "x": "SZ", "z": "SZ", "c": "SZ", "s": "SZ",
    "zh": "CH", "ch": "CH", "sh": "CH", "r": "CH",
}  # fmt: skip


def viseme_for_phone(phone: str) -> str:
    """'zh' → CH, 'ang4' → A, 'sil'/'#0' → rest. Finals are judged by their main vowel."""
    if phone in _INITIALS:
        return _INITIALS[phone]
    if phone in ("^", "sil", "pad", "eos") or phone.startswith("#"):
        return REST
    final = phone.rstrip("12345")
    if final.startswith(("a", "ia", "ua")) and not final.startswith(("iao",)):
        return "A"
    if final in ("ong", "iong"):  # [ʊŋ]: rounded and narrow
        return "U"
    if final.startswith(("o", "uo", "iao")) or final in ("ao", "ou", "iou"):
        return "O"
    if final.startswith(("e", "ie", "ve", "er")) or final in ("uei", "uen", "ueng"):
        return "E"
    if final.startswith(("u", "v")) or final in ("ong", "iong"):
        return "U"
    if final.startswith("i"):
        return "I"
    return REST
