"""Shared fixtures: an isolated data directory per test, and one real index per session."""
from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from knowledge.settings import Settings, default_documents_dir

STRATEGY = default_documents_dir() / "camden-professional-development-strategy-current.txt"
FRAMEWORK = default_documents_dir() / "camden-professional-development-framework-2023-07.txt"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """One folder for the ONNX export of the embedding model, made once per test session and
    shared by every data directory (in-process and in subprocesses, via PDBOT_MODELS_DIR)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch, models_dir):
    """Tests never touch a user's .pdbot: PDBOT_DATA_DIR points into tmp_path."""
    monkeypatch.setenv("PDBOT_DATA_DIR", str(tmp_path / "pdbot-data"))
    monkeypatch.setenv("PDBOT_MODELS_DIR", str(models_dir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def embedder(models_dir):
    """The real all-MiniLM-L6-v2 model on ONNX Runtime (exported on first use), loaded once."""
    from knowledge.embedder import Embedder

    return Embedder(models_dir)


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory, embedder) -> Settings:
    """Settings whose data directory holds a real index of the two shipped documents."""
    from ingest.pipeline import run_ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("index"))
    run_ingest(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def engine(built_settings, embedder):
    """The real engine over the real documents."""
    from assistant.answer.engine import Engine

    return Engine.from_settings(built_settings, embedder=embedder)


@pytest.fixture
def documents_copy(tmp_path) -> Path:
    """A writable copy of the documents folder (with its catalog)."""
    target = tmp_path / "documents"
    shutil.copytree(default_documents_dir(), target)
    return target


@pytest.fixture(scope="session")
def strategy():
    """The parsed Professional Development Strategy."""
    from ingest.loaders import load_document
    from ingest.parse import parse_document

    return parse_document(*load_document(STRATEGY))


@pytest.fixture(scope="session")
def framework():
    """The parsed Professional Development Framework (July 2023)."""
    from ingest.loaders import load_document
    from ingest.parse import parse_document

    return parse_document(*load_document(FRAMEWORK))


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, process, timeout: float) -> None:
    """Poll `url` until it answers; fail at once if the server process exits."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            assert process.poll() is None, f"server exited: {process.args}"
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def start_chroma(path: Path):
    """A real `chroma run` on 127.0.0.1 (a free port) storing in `path`: (process, url)."""
    import subprocess
    import sys

    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    process = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1",
                                "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(f"{url}/api/v2/heartbeat", process, timeout=60)
    return process, url


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` for one test, stopped afterwards; its URL."""
    process, url = start_chroma(tmp_path / "chroma-server")
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session (tests/postgres_server.py); skipped, saying
    why, only when the server binaries are not installed."""
    from tests.postgres_server import PostgresServer, server_binaries

    if server_binaries() is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
                    "apt-get install postgresql (.ci/run does)")
    with PostgresServer(free_port()) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty store database: a SQLite file, or a new database on the session's
    PostgreSQL (the same store tests run on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'feedback.sqlite3'}"
    server = request.getfixturevalue("postgres")
    return server.create_database(f"t{abs(hash(request.node.nodeid)) % 10**12}")


@pytest.fixture
def any_store(database_url):
    """A FeedbackStore at the head schema on each database (PostgreSQL upgraded as
    `pdbot db upgrade` does)."""
    from assistant.slack.feedback import FeedbackStore
    from assistant.store.database import make_engine
    from assistant.store.migrate import upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    store = FeedbackStore(engine)
    yield store
    store.close()


class CountingEmbedder:
    """The real embedder, keeping every text it is asked to embed."""

    def __init__(self, embedder):
        self.embedder, self.texts = embedder, []
        self.name = embedder.name

    def embed(self, texts, batch_size=32, progress=None):
        self.texts += texts
        return self.embedder.embed(texts, batch_size=batch_size, progress=progress)

    def embed_query(self, text):
        return self.embed([text])[0]
