"""Batch answering: JSONL requests {"id", "question", "history"} -> the public JSON answers."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from assistant.errors import InputError
from knowledge.errors import PdbotError
from assistant.answer.query import Turn

log = logging.getLogger(__name__)


def parse_history(raw) -> list[Turn]:
    """History turns from JSON; InputError when malformed."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InputError("history must be a list of {role, content} turns.")
    turns = []
    for turn in raw:
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant") \
                or not isinstance(turn.get("content"), str):
            raise InputError('each history turn needs "role" ("user" or "assistant") and "content".')
        turns.append(Turn(turn["role"], turn["content"]))
    return turns


def answer_request(engine, request: dict, trace: bool = False) -> dict:
    """Answer one request; a request that fails gets an `error` entry instead of stopping the
    batch: bad input with its message, anything unexpected as an internal error (logged with
    its traceback)."""
    out: dict = {"id": request["id"]} if "id" in request else {}
    question = request.get("question", "")
    try:
        answer = engine.answer(question, parse_history(request.get("history")))
    except PdbotError as exc:
        return _failed(out, question, str(exc))
    except Exception as exc:  # a defect must not cost the rest of the batch its answers
        log.exception("request %s failed", out.get("id", "?"))
        return _failed(out, question, f"internal error ({type(exc).__name__}); see the log")
    return {**out, **answer.to_json(trace=trace)}


def _failed(out: dict, question, error: str) -> dict:
    return {**out, "question": question if isinstance(question, str) else "", "answer": "",
            "answered": False, "citations": [], "latency_ms": 0.0, "error": error}


def read_requests(path: Path) -> list[dict]:
    """JSONL requests; InputError naming the line when one is not a JSON object."""
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    requests = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg}).") from exc
        if not isinstance(request, dict):
            raise InputError(f"{path}:{number}: each line must be a JSON object.")
        requests.append(request)
    return requests
