"""The kiosk's drawn service-staff face: SVG markup, the browser script that animates it, and viseme mapping."""

from __future__ import annotations

from importlib.resources import files

from avatar.visemes import MOUTH_SHAPES, mouth_shape

__all__ = ["MOUTH_SHAPES", "face_html", "face_script", "mouth_shape"]


def face_html() -> str:
    return files("avatar").joinpath("face.html").read_text(encoding="utf-8")


def face_script() -> str:
    return files("avatar").joinpath("avatar.js").read_text(encoding="utf-8")
