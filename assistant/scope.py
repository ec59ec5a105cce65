"""Deciding whether the documents cover a question, before anything is cited."""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieval import Hit

# Topics staff ask about that a professional-development framework does not set out.
UNCOVERED_TOPICS = re.compile(
    r"\b(salar(?:y|ies)|pay|paid|wages?|earn\w*|pension\w*|holidays?|annual leave|"
    r"maternity|paternity|parental leave|sick(?:ness)? (?:pay|leave)|leave entitlement|"
    r"days? off|term dates|contracts?|payscale|pay scale|pay band|grievance|redundan\w*|"
    r"disciplinary|union dues|tax|overtime)\b")
INSTRUCTION_ATTACKS = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompts?|"
    r"guidelines|above|previous|system)\b|\b(system prompt|jailbreak|pretend (?:to be|you)|"
    r"act as|you are now|roleplay|developer mode)\b")
MIN_SIMILARITY = 0.30  # below this cosine, nothing in the documents is about the question
SURE_SIMILARITY = 0.60  # above this, a word the documents never use is incidental


@dataclass
class ScopeDecision:
    """Whether to answer, and why not when not."""

    covered: bool
    reason: str = ""
    topic: str | None = None  # the uncovered topic named in the question, when one was


def judge_scope(question_text: str, unknown_words: list[str], hits: list[Hit]) -> ScopeDecision:
    """Refuse instructions to break the rules, known uncovered topics, and weak retrieval."""
    lowered = question_text.lower()
    if INSTRUCTION_ATTACKS.search(lowered):
        return ScopeDecision(False, "instructions")
    topic = UNCOVERED_TOPICS.search(lowered)
    if topic:
        return ScopeDecision(False, "uncovered topic", topic=topic.group(0))
    best = max((max(h.dense, h.unit) for h in hits), default=0.0)
    if best < MIN_SIMILARITY:
        return ScopeDecision(False, f"weak retrieval ({best:.2f})")
    if unknown_words and best < SURE_SIMILARITY:
        return ScopeDecision(False, f"unknown words {unknown_words} ({best:.2f})")
    return ScopeDecision(True)
