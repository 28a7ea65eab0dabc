"""A session's bounded conversation history; the session clears it when the citizen leaves."""

from __future__ import annotations

from collections import deque

from core.models import ChatMessage


class ConversationHistory:
    def __init__(self, max_turns: int) -> None:
        self._turns: deque[tuple[str, str]] = deque(maxlen=max(max_turns, 0))

    def add(self, question: str, answer: str) -> None:
        if self._turns.maxlen:
            self._turns.append((question, answer))

    def messages(self) -> list[ChatMessage]:
        out: list[ChatMessage] = []
        for question, answer in self._turns:
            out += [ChatMessage("user", question), ChatMessage("assistant", answer)]
        return out

    def clear(self) -> None:
        self._turns.clear()

    def __len__(self) -> int:
        return len(self._turns)
