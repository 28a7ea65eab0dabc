"""The drawn face's 9 mouth shapes, and how the voices' viseme names (speech.synthesis.visemes) map onto them."""

from __future__ import annotations

from core.models import TimingMark

# rest: closed and relaxed; A: wide open; O: round open; E: half open; I: spread; U: small round;
# M: lips pressed (b p m); F: lower lip to teeth (f); S: teeth together (s z c zh ch sh j q x r)
MOUTH_SHAPES = ("rest", "A", "O", "E", "I", "U", "M", "F", "S")

_ALIASES = {"MBP": "M", "FV": "F", "DNL": "E", "KG": "E", "SZ": "S", "CH": "S"}


def mouth_shape(mark: TimingMark) -> str:
    """The shape to draw for one mark: its viseme when the voice gave one, else judged from its phone."""
    viseme = mark.viseme
    if not viseme:
        from speech.synthesis.visemes import viseme_for_phone

        viseme = viseme_for_phone(mark.unit.lower())
    if viseme in MOUTH_SHAPES:
        return viseme
    return _ALIASES.get(viseme, "E")
