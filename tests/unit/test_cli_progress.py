"""The command line: --kb after the sub-command, and one overall ingest progress display."""

from __future__ import annotations

import io

from kiosk.cli import build_parser
from kiosk.commands.progress import IngestProgressReporter
from knowledge_base.ingest import IngestProgress


def test_kb_option_works_after_the_subcommand_as_documented() -> None:
    parser = build_parser()
    assert parser.parse_args(["kb", "ingest", "a.md", "--kb", "/data/kb"]).kb == "/data/kb"
    assert parser.parse_args(["--kb", "/data/kb", "kb", "ingest", "a.md"]).kb == "/data/kb"
    assert parser.parse_args(["kb", "search", "问题", "--kb", "/x", "--config", "k.yaml"]).config == "k.yaml"
    assert parser.parse_args(["kb", "list"]).kb is None  # not given anywhere: the config decides


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_progress_lines_off_a_terminal_one_summary_for_the_batch() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = IngestProgressReporter(stream, line_every_s=10.0, clock=clock)
    for index in range(100):  # 100 files of 5 passages, one second each
        clock.now = float(index)
        for done in range(0, 6):
            progress(IngestProgress(f"f{index}.md", index, 100, done, 5))
    clock.now = 100.0
    progress.close(100)
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert 5 <= len(lines) <= 12, lines  # a line every ~10 s, not one per file or per passage
    assert lines[-1].startswith("ingest: 100/100 files, 500 passages")
    middle = next(line for line in lines if line.startswith("ingest: 50/100"))
    assert "left" in middle


def test_files_that_report_nothing_still_count_as_done() -> None:
    stream = io.StringIO()
    progress = IngestProgressReporter(stream)
    progress(IngestProgress("b.md", 3, 4, 2, 2))  # files 0-2 failed or were unchanged: no callbacks for them
    assert progress.files_done == 3 and progress.passages == 2
    progress.close(4)
    assert stream.getvalue().splitlines() == ["ingest: 4/4 files, 2 passages, 0:00 elapsed"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_one_bar_for_the_whole_batch_on_a_terminal() -> None:
    stream = Terminal()
    progress = IngestProgressReporter(stream)
    for index in range(30):
        progress(IngestProgress(f"f{index}.md", index, 30, 0, 3))
        progress(IngestProgress(f"f{index}.md", index, 30, 3, 3))
    progress.close(30)
    output = stream.getvalue()
    assert output.count("ingest:") >= 1 and "30/30" in output and "90 passages" in output
    assert "f0.md" not in output  # no bar per file


def test_a_pass_over_every_passage_reports_time_left_by_passages() -> None:
    from kiosk.commands.progress import PassageProgressReporter

    stream, clock = io.StringIO(), FakeClock()
    progress = PassageProgressReporter("reembed", stream, line_every_s=10.0, clock=clock)
    progress(IngestProgress("kb", 0, 1, 400, 2000))  # resumed: 400 were there
    for batch in range(1, 51):  # then batches of 32 passages, 2 s each
        clock.now = 2.0 * batch
        progress(IngestProgress("kb", 0, 1, min(1600, 400 + 32 * batch), 2000))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "reembed: 560/2000 passages, 0:10 elapsed, about 1:30 left"  # 16 a second, 1440 to go
    progress.close()
    assert stream.getvalue().splitlines()[-1].startswith("reembed: 1600/2000 passages, 1:40 elapsed")


_BLAS_THREADS = """
import ctypes, os, sys
from kiosk.cli import build_parser, set_process_environment
os.environ.pop("OPENBLAS_NUM_THREADS", None)
set_process_environment()
build_parser()  # imports every command module, as `kiosk` does before running one
import numpy
numpy.ones((2, 2)) @ numpy.ones((2, 2))
libraries = {line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line.lower()}
for path in libraries:
    for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
        if hasattr(ctypes.CDLL(path), symbol):
            print(getattr(ctypes.CDLL(path), symbol)())
            sys.exit(0)
print("no openblas")
"""


def test_the_kiosk_runs_numpys_blas_on_one_thread() -> None:
    import subprocess
    import sys

    import pytest

    out = subprocess.run([sys.executable, "-c", _BLAS_THREADS], capture_output=True, text=True, check=True).stdout
    if out.strip() == "no openblas":
        pytest.skip("numpy is not linked against OpenBLAS here")
    assert out.strip() == "1"
