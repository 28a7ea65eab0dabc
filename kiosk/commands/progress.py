"""One overall progress display per long command: files or passages done, time left.

On a terminal it is one tqdm bar; otherwise (a log file, a service journal) a plain line now and then, never `\\r`.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from knowledge_base.ingest import IngestProgress


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class _Display:
    """The bar on a terminal, a line every `line_every_s` elsewhere; subclasses say what is counted."""

    unit = "item"

    def __init__(self, label: str, stream: TextIO | None, line_every_s: float, clock) -> None:  # type: ignore[no-untyped-def]
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._line_every_s = line_every_s
        self._clock = clock
        self._started = self._last_line = clock()
        self._bar: Any = None

    def _bar_state(self) -> tuple[int, int, str]:
        """(done, total, postfix) for the bar."""
        raise NotImplementedError

    def _text(self, elapsed: str) -> str:
        """The plain line, after the label."""
        raise NotImplementedError

    def _show(self) -> None:
        if self.tty:
            if self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(total=self._bar_state()[1], unit=self.unit, desc=self.label, file=self.stream, dynamic_ncols=True)
            self._update_bar()
        elif self._clock() - self._last_line >= self._line_every_s:
            self._line()

    def _update_bar(self) -> None:
        done, total, postfix = self._bar_state()
        self._bar.total, self._bar.n = total, done
        if postfix:
            self._bar.set_postfix_str(postfix, refresh=False)
        self._bar.refresh()

    def _finish(self, shown: bool) -> None:
        """Show the final state once: the bar's last update, or a last line when anything was counted."""
        if self._bar is not None:
            self._update_bar()
            self._bar.close()
            self._bar = None
        elif shown:
            self._line()

    def _line(self) -> None:
        self._last_line = self._clock()
        print(f"{self.label}: {self._text(_clock(self._clock() - self._started))}", file=self.stream, flush=True)


class IngestProgressReporter(_Display):
    """Feed it the knowledge base's IngestProgress callbacks; call close() when the batch is done."""

    unit = "file"

    def __init__(self, stream: TextIO | None = None, *, line_every_s: float = 10.0, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        super().__init__("ingest", stream, line_every_s, clock)
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
        self._finish(bool(self.files_total))

    def eta_s(self) -> float | None:
        if not self.files_done or not self.files_total:
            return None
        elapsed = self._clock() - self._started
        return elapsed / self.files_done * (self.files_total - self.files_done)

    def _bar_state(self) -> tuple[int, int, str]:
        return self.files_done, self.files_total, f"{self.passages} passages"

    def _text(self, elapsed: str) -> str:
        eta = self.eta_s()
        left = f", about {_clock(eta)} left" if eta is not None and self.files_done < self.files_total else ""
        return f"{self.files_done}/{self.files_total} files, {self.passages} passages, {elapsed} elapsed{left}"


class PassageProgressReporter(_Display):
    """Progress of one long pass over every passage (`kb reembed`), or over every paragraph of long passages
    (`unit="paragraph"`): done of all, time left by their rate."""

    def __init__(self, label: str, stream: TextIO | None = None, *, unit: str = "passage", line_every_s: float = 10.0, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        super().__init__(label, stream, line_every_s, clock)
        self.unit = unit  # the bar's rate and the line's count name the same thing
        self._first: int | None = None  # the first report: passages already there (a resumed run)
        self.done = self.total = 0

    def __call__(self, progress: IngestProgress) -> None:
        self.done, self.total = progress.chunks_done, progress.chunks_total
        if self._first is None:
            self._first = self.done
        self._show()

    def close(self) -> None:
        self._finish(bool(self.total))

    def eta_s(self) -> float | None:
        made = self.done - (self._first or 0)
        if made <= 0 or not self.total:
            return None
        return (self._clock() - self._started) / made * (self.total - self.done)

    def _bar_state(self) -> tuple[int, int, str]:
        return self.done, self.total, ""

    def _text(self, elapsed: str) -> str:
        eta = self.eta_s()
        left = f", about {_clock(eta)} left" if eta is not None and self.done < self.total else ""
        return f"{self.done}/{self.total} {self.unit}s, {elapsed} elapsed{left}"
