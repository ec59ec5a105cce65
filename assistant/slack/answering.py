"""The engine seen from Slack: a question and its thread's earlier turns in, an Answer out.

Bad input (empty, too long) is answered with its message, as the command line does; any other
exception is the caller's to turn into the one-line "something went wrong" reply. Each answer
is counted (assistant.metrics) and logged by id, asker and outcome, never by its text.
"""
from __future__ import annotations

import logging
import time
import uuid

from assistant.answer.query import Turn
from knowledge.errors import PdbotError
from knowledge.records import Answer

log = logging.getLogger(__name__)


def new_answer_id() -> str:
    return uuid.uuid4().hex


class Answerer:
    """Answers with `engine` (the Engine, or an LlmAnswerer over it, which can stream)."""

    def __init__(self, engine, metrics=None):
        self.engine = engine
        self.metrics = metrics  # assistant.metrics.Metrics, or None

    @property
    def streams(self) -> bool:
        """True when answers are written by a model (slow, streamed), not quoted (~20 ms)."""
        return hasattr(self.engine, "counts")

    def answer(self, question: str, history: list[Turn], on_text=None) -> tuple[Answer, float]:
        """(the answer, seconds it took); `on_text(text_so_far)` follows an LLM reply."""
        started = time.perf_counter()
        try:
            if on_text is not None and self.streams:
                answer = self.engine.answer(question, history, on_text=on_text)
            else:
                answer = self.engine.answer(question, history)
        except PdbotError as exc:
            answer = Answer(question=question, answer=str(exc), answered=False)
        seconds = time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.observe_answer(answer.answered, answer.reason, seconds)
        return answer, seconds


def log_answer(answer_id: str, answer: Answer, user: str, channel: str, seconds: float) -> None:
    """One INFO line per answer: ids, outcome, citations, time; no question or answer text."""
    outcome = "answered" if answer.answered else f"refused {answer.reason or 'input'}"
    log.info("answer %s for %s in %s: %s, %d citations, %.0f ms", answer_id, user or "?",
             channel or "?", outcome, len(answer.citations), seconds * 1000,
             extra={"event": "answer", "answer_id": answer_id, "user": user, "channel": channel,
                    "answered": answer.answered, "reason": answer.reason,
                    "latency_ms": round(seconds * 1000, 1)})


def history_dicts(history: list[Turn]) -> list[dict]:
    return [{"role": t.role, "content": t.content} for t in history]
