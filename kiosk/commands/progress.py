"""One overall progress display per ingest command: files done, passages embedded, time left.

On a terminal it is one tqdm bar; otherwise (a log file, a service journal) a plain line now and then, never `\\r`.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from knowledge_base.ingest import IngestProgress


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class IngestProgressReporter:
    """Feed it the knowledge base's IngestProgress callbacks; call close() when the batch is done."""

    def __init__(self, stream: TextIO | None = None, *, line_every_s: float = 10.0, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._line_every_s = line_every_s
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        self._bar = None
        self.files_total = 0
        self.files_done = 0
        self._file_index = -1
        self._passages_before = 0  # passages of the files already finished
        self._passages_current = 0

    @property
    def passages(self) -> int:
        return self._passages_before + self._passages_current

    def __call__(self, progress: IngestProgress) -> None:
        self.files_total = progress.files_total
        if progress.file_index != self._file_index:
            self._passages_before += self._passages_current
            self._passages_current = 0
            self._file_index = progress.file_index
            self.files_done = progress.file_index  # the files before this one are finished (or failed)
        self._passages_current = progress.chunks_done
        self._show()

    def close(self, files_total: int | None = None) -> None:
        """The batch is over: show the final state once."""
        if files_total is not None:
            self.files_total = files_total
        self.files_done = self.files_total
        if self._bar is not None:
            self._update_bar()
            self._bar.close()
            self._bar = None
        elif self.files_total:
            self._line()

    def eta_s(self) -> float | None:
        if not self.files_done or not self.files_total:
            return None
        elapsed = self._clock() - self._started
        return elapsed / self.files_done * (self.files_total - self.files_done)

    def _show(self) -> None:
        if self.tty:
            if self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(total=self.files_total, unit="file", desc="ingest", file=self.stream, dynamic_ncols=True)
            self._update_bar()
        elif self._clock() - self._last_line >= self._line_every_s:
            self._line()

    def _update_bar(self) -> None:
        bar = self._bar
        bar.total = self.files_total  # type: ignore[union-attr]
        bar.n = self.files_done  # type: ignore[union-attr]
        bar.set_postfix_str(f"{self.passages} passages", refresh=False)  # type: ignore[union-attr]
        bar.refresh()  # type: ignore[union-attr]

    def _line(self) -> None:
        self._last_line = self._clock()
        eta = self.eta_s()
        left = f", about {_clock(eta)} left" if eta is not None and self.files_done < self.files_total else ""
        print(
            f"ingest: {self.files_done}/{self.files_total} files, {self.passages} passages, "
            f"{_clock(self._clock() - self._started)} elapsed{left}",
            file=self.stream, flush=True,
        )  # fmt: skip


class PassageProgressReporter:
    """Progress of one long pass over every passage (`kb reembed`): passages done of all, time left by their rate."""

    def __init__(self, label: str, stream: TextIO | None = None, *, line_every_s: float = 10.0, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._line_every_s = line_every_s
        self._clock = clock
        self._started = self._last_line = clock()
        self._first: int | None = None  # the first report: passages already there (a resumed run)
        self._bar = None
        self.done = self.total = 0

    def __call__(self, progress: IngestProgress) -> None:
        self.done, self.total = progress.chunks_done, progress.chunks_total
        if self._first is None:
            self._first = self.done
        if self.tty:
            if self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(total=self.total, unit="passage", desc=self.label, file=self.stream, dynamic_ncols=True)
            self._bar.n = self.done  # type: ignore[union-attr]
            self._bar.refresh()  # type: ignore[union-attr]
        elif self._clock() - self._last_line >= self._line_every_s:
            self._line()

    def eta_s(self) -> float | None:
        made = self.done - (self._first or 0)
        if made <= 0 or not self.total:
            return None
        return (self._clock() - self._started) / made * (self.total - self.done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.total:
            self._line()

    def _line(self) -> None:
        self._last_line = self._clock()
        eta = self.eta_s()
        left = f", about {_clock(eta)} left" if eta is not None and self.done < self.total else ""
        print(
            f"{self.label}: {self.done}/{self.total} passages, {_clock(self._clock() - self._started)} elapsed{left}",
            file=self.stream, flush=True,
        )  # fmt: skip
