"""The `pdbot` command as users run it: help, ask (text, JSON, batch), chat, errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from assistant.chat import run_chat


def pdbot(*args, data_dir=None, stdin=None, timeout=240):
    env = dict(os.environ)
    if data_dir is not None:
        env["PDBOT_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True,
                          text=True, env=env, input=stdin, timeout=timeout)


def test_help_is_fast_and_lists_the_commands():
    started = time.perf_counter()
    result = pdbot("--help")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0
    for command in ("ingest", "ask", "chat", "eval", "bench"):
        assert command in result.stdout
    assert elapsed < 2.0  # imports no torch, chromadb or sentence-transformers


def test_help_imports_nothing_heavy():
    code = ("import sys, assistant.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'chromadb', 'sentence_transformers') if m in sys.modules]\n"
            "print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().endswith("[]")


def test_ask_prints_the_answer_and_its_sources(built_settings):
    result = pdbot("ask", "What should an HLTA do next?", data_dir=built_settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "Sources" in result.stdout
    assert "[1] Professional Development Strategy (current) › Progression Pathways" in result.stdout
    assert "Traceback" not in result.stderr


def test_ask_json_and_batch(built_settings, tmp_path):
    single = pdbot("ask", "Is the NPQ for SENCos mandatory?", "--json",
                   data_dir=built_settings.data_dir)
    data = json.loads(single.stdout)
    assert data["answered"] and "mandatory" in data["answer"]
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "question": "Which NPQs are there?", "history": []},
        {"id": "b", "question": "Which one is for heads?",
         "history": [{"role": "user", "content": "Which NPQs are there?"},
                     {"role": "assistant", "content": "NPQs on Offer: NPQ for SENCo (NPQSENCO); "
                      "NPQ for Senior Leadership (NPQSL); NPQ for Headship (NPQH)."}]},
        {"id": "c", "question": "What is the salary of an HLTA?"},
        {"id": "d", "question": ""},
    ]))
    result = pdbot("ask", "--batch", str(batch), data_dir=built_settings.data_dir)
    answers = json.loads(result.stdout)
    assert [a["id"] for a in answers] == ["a", "b", "c", "d"]
    assert "NPQH" in answers[1]["answer"] or "Headship" in answers[1]["answer"]
    assert answers[2]["answered"] is False and answers[2]["citations"] == []
    assert "error" in answers[3]


@pytest.mark.parametrize("args, message", [
    (("ask", ""), "Please ask a question"),
    (("ask", "x" * 50_000), "limit is"),
    (("ask",), "Give a question"),
])
def test_bad_input_gets_a_message_and_a_nonzero_exit(built_settings, args, message):
    result = pdbot(*args, data_dir=built_settings.data_dir)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_or_empty_data_dir_says_run_ingest(tmp_path):
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "missing", tmp_path / "empty"):
        result = pdbot("ask", "What should an HLTA do next?", data_dir=folder)
        assert result.returncode == 2
        assert "Run `pdbot ingest` first" in result.stderr
        assert "Traceback" not in result.stderr


def test_ingest_reports_a_bad_file_by_name(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x00")
    result = pdbot("ingest", str(bad), data_dir=tmp_path / "data")
    assert result.returncode == 2 and "bad.txt" in result.stderr
    assert "Traceback" not in result.stderr


def test_chat_keeps_the_history(engine):
    said = []
    questions = iter(["Which NPQs are there?", "Which one is for heads?", "exit"])
    assert run_chat(engine, read=lambda _: next(questions), write=said.append) == 0
    assert "Headship" in said[-1] or "NPQH" in said[-1]


def test_chat_ends_on_end_of_input(engine):
    def read(_):
        raise EOFError

    assert run_chat(engine, read=read, write=lambda _: None) == 0
