"""Re-ingesting changed documents: the change report, dry runs, a killed ingest, answering
through a re-ingest, and the same behaviour against a real `chroma run` server."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from assistant.answer.engine import Engine
from knowledge.settings import Settings
from evals.affected import affected_cases
from evals.runner import DEFAULT_CASES
from ingest.pipeline import run_ingest
from knowledge.index import live_version_dir

STRATEGY_NAME = "camden-professional-development-strategy-current.txt"


@pytest.fixture
def settings(tmp_path, documents_copy) -> Settings:
    return Settings(data_dir=tmp_path / "data", documents_dir=documents_copy)


def edit(settings: Settings, old: str, new: str) -> None:
    path = settings.documents_dir / STRATEGY_NAME
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_the_report_names_changed_sections_and_the_eval_cases_to_recheck(settings, embedder):
    run_ingest(settings, embedder=embedder)
    edit(settings, "Sessions take place each half term.", "Sessions take place every month.")
    edit(settings, "### Executive Headteacher Peer Network", "### Executive Leaders Network")
    (settings.documents_dir / "extra.md").write_text("# Extra Guide\n\n## Coaching Circles\n\nTriads meet monthly.\n")
    before = live_version_dir(settings.data_dir)
    dry = run_ingest(settings, embedder=embedder, dry_run=True)
    assert live_version_dir(settings.data_dir) == before  # a dry run changes nothing
    changes = dry.changes
    assert changes.documents_added == ["Extra Guide"]
    assert changes.documents_changed == ["Professional Development Strategy"]
    assert changes.sections_changed == ["Professional Development Strategy › SEND Networks"]
    assert "Professional Development Strategy › Wider Networks › Executive Headteacher Peer Network" \
        in changes.sections_removed
    assert "Professional Development Strategy › Wider Networks › Executive Leaders Network" \
        in changes.sections_added
    affected = affected_cases(changes.changed_passages, [DEFAULT_CASES])
    assert {"strategy-send-networks-phases", "typo-send-networks"} <= set(affected)
    real = run_ingest(settings, embedder=embedder)
    assert real.changes.sections_changed == changes.sections_changed
    engine = Engine.from_settings(settings, embedder=embedder)
    assert "every month" in engine.answer("How often do SEND networks meet?").answer
    (settings.documents_dir / "extra.md").unlink()
    removed = run_ingest(settings, embedder=embedder).changes
    assert removed.documents_removed == ["Extra Guide"]
    assert not engine.answer("When do coaching triads meet?").answered or \
        "Triads" not in engine.answer("When do coaching triads meet?").answer


def test_answers_keep_coming_during_a_reingest_and_switch_at_once(settings, embedder):
    run_ingest(settings, embedder=embedder)
    engine = Engine.from_settings(settings, embedder=embedder)
    first = engine.version
    edit(settings, "Sessions take place each half term.", "Sessions take place every fortnight.")
    answers, errors = [], []
    done = threading.Event()

    def ask():
        while not done.is_set():
            try:
                answers.append(engine.answer("How often do SEND networks meet?").answer)
            except Exception as exc:  # any failure while re-ingesting is a defect
                errors.append(exc)

    worker = threading.Thread(target=ask)
    worker.start()
    try:
        run_ingest(settings, embedder=embedder)
    finally:
        done.set()
        worker.join()
    assert errors == [] and answers
    assert all("each half term" in a or "every fortnight" in a for a in answers)
    assert "every fortnight" in engine.answer("How often do SEND networks meet?").answer
    assert engine.version != first


def test_an_ingest_killed_mid_embedding_leaves_the_index_answering(settings, built_settings,
                                                                   embedder):
    shutil.copytree(built_settings.data_dir, settings.data_dir, dirs_exist_ok=True)
    before = live_version_dir(settings.data_dir)
    path = settings.documents_dir / STRATEGY_NAME
    path.write_text(path.read_text().replace(". ", ". Indeed, "))  # every sentence changes
    env = {**os.environ, "PDBOT_DATA_DIR": str(settings.data_dir),
           "PDBOT_DOCUMENTS_DIR": str(settings.documents_dir)}
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "-v", "ingest"], env=env,
                               stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for line in process.stderr:  # wait until it is embedding, then kill it
        if "embedding" in line and "texts" in line:
            break
    time.sleep(1.0)
    assert process.poll() is None, "ingest finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert live_version_dir(settings.data_dir) == before
    engine = Engine.from_settings(settings, embedder=embedder)
    answer = engine.answer("How often do SEND networks meet?")
    assert "each half term" in answer.answer and "Indeed" not in answer.answer
    report = run_ingest(settings, embedder=embedder)  # the lock died with the process
    assert not report.up_to_date and live_version_dir(settings.data_dir) != before


def test_ingest_and_answers_against_a_chroma_server(tmp_path, documents_copy, embedder, chroma_server):
    settings = Settings(data_dir=tmp_path / "data", documents_dir=documents_copy,
                        chroma_url=chroma_server, keep_versions=1)
    first = run_ingest(settings, embedder=embedder)
    assert not (live_version_dir(settings.data_dir) / "chroma").exists()  # vectors on the server
    engine = Engine.from_settings(settings, embedder=embedder)
    answer = engine.answer("What should an HLTA do next?")
    assert "Transition to Teaching" in " ".join(c.section for c in answer.citations)
    edit(settings, "Sessions take place each half term.", "Sessions take place every week.")
    run_ingest(settings, embedder=embedder)
    edit(settings, "every week", "every term")
    run_ingest(settings, embedder=embedder)
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server.rsplit(":", 1)[1]))
    names = {c.name if hasattr(c, "name") else c for c in client.list_collections()}
    assert f"chunks-{first.version}" not in names  # versions beyond PDBOT_KEEP_VERSIONS: deleted
    assert "every term" in engine.answer("How often do SEND networks meet?").answer
