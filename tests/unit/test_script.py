"""Typed questions in the form the statutes are written in (core/script.py)."""

from __future__ import annotations

import pytest

from core.script import as_written


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("辦居住證要帶什麼材料", "办居住证要带什么材料"),  # a visitor used to traditional characters
        ("办 居 住 证 要 带 什 么 材 料", "办居住证要带什么材料"),  # one character at a time
        ("办居住证 要 带 什 么", "办居住证 要带什么"),
    ],
)
def test_traditional_and_spaced_characters_are_read_as_written(typed: str, written: str) -> None:
    assert as_written(typed) == written


@pytest.mark.parametrize("typed", ["孩子有点残疾 普通小学能不能不收", "我 想 问 一下 低保", "著作权 登记 怎么办", "ID card 丢了"])
def test_clauses_with_pauses_and_simplified_text_stay(typed: str) -> None:
    assert as_written(typed) == typed
