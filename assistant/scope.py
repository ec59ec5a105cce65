"""Deciding whether the documents cover a question, before anything is cited.

A question is refused when it tells the assistant to drop its rules, when it is about a topic a
professional-development framework does not set out (pay and conditions, IT, admin, general
knowledge, writing tasks), when nothing in the documents is close to it, or when most of its
words are ones the documents never use and retrieval is only middling.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# (topic named in the reply, who to ask instead, pattern)
UNCOVERED_TOPICS: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (name, ask, re.compile(pattern)) for name, ask, pattern in (
        ("pay and pensions", "your school's HR or business manager",
         r"\b(salar(?:y|ies)|wages?|payscale|pay ?(?:scale|band|rise|award|point|spine|policy)"
         r"|ups ?\d|m\d pay|main pay|upper pay|pension\w*|overtime|tax(?:ed)?"
         r"|how much\b.{0,25}\b(?:paid|earn\w*)|\bearnings\b"
         r"|(?:sick|actual|the) pay\b|\bpaid\b(?! for))"),
        ("leave and absence", "your school's HR or business manager",
         r"\b(annual leave|holidays?|maternity|paternity|parental leave|compassionate"
         r"|sick(?:ness)? (?:leave|absence)|leave entitlement|days? off|term dates"
         r"|absence policy)\b"),
        ("contracts and HR procedures", "your school's HR or business manager",
         r"\b(contracts?|redundan\w*|disciplinary|grievance|union dues|working hours|workload"
         r"|expenses|travel claims?|dbs check)\b"),
        ("IT and equipment", "your school's IT support",
         r"\b(password|wi-?fi|laptop|projector|printer|hdmi|email account|log ?in|software"
         r"|install)\b"),
        ("school admin and facilities", "your school office",
         r"\b(book (?:a|the) (?:\w+ )?room|room booking|parking|where (?:can|do) i park"
         r"|canteen|lunch menu|mobile phones?|phone policy|uniform policy|what time|school hours"
         r"|opening hours|timetable|inset days?|term dates|(?:start|finish)(?:es)? (?:on|at) )"),
        ("inspection results", "the school's published Ofsted report",
         r"\bofsted (?:grade|rating|result|judgement|outcome)s?\b|\b(?:grade|rating) did\b"),
        ("writing or coding tasks", "",
         r"\b(write (?:me )?(?:a|an|my) \w+|lesson plan|debug|python|javascript|excel formula"
         r"|translate)\b"),
        ("general knowledge", "",
         r"\b(weather|capital of|recipe|football|joke|poem|song lyrics|mayor|councillors?"
         r"|history of|population|how many (?:students|pupils|children)"
         r"|recommend (?:a |an |some )?(?:good )?(?:books?|podcasts?|apps?|films?))\b"),
    ))
INSTRUCTION_ATTACKS = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompts?|"
    r"guidelines|above|previous|system)\b|\b(system prompt|jailbreak|pretend (?:to be|you)|"
    r"act as|you are now|you're now|roleplay|developer mode)\b")
MIN_SIMILARITY = 0.33  # below this cosine, nothing in the documents is about the question
UNKNOWN_SHARE = 0.5  # half the question's words unknown to the documents ...
UNKNOWN_SIMILARITY = 0.65  # ... and retrieval below this: not covered


@dataclass
class ScopeDecision:
    """Whether to answer, and why not when not."""

    covered: bool
    reason: str = ""
    topic: str | None = None  # the uncovered topic, when the question names one
    ask: str = ""  # who to ask instead, when known


def judge_scope(question_text: str, unknown_share: float, best: float) -> ScopeDecision:
    """Decide from the question's wording, the share of its words the documents never use, and
    `best`, the highest similarity of any passage to the question."""
    lowered = question_text.lower()
    if INSTRUCTION_ATTACKS.search(lowered):
        return ScopeDecision(False, "instructions")
    for name, ask, pattern in UNCOVERED_TOPICS:
        if pattern.search(lowered):
            return ScopeDecision(False, "uncovered topic", topic=name, ask=ask)
    if best < MIN_SIMILARITY:
        return ScopeDecision(False, f"weak retrieval ({best:.2f})")
    if unknown_share >= UNKNOWN_SHARE and best < UNKNOWN_SIMILARITY:
        return ScopeDecision(False, f"mostly unknown words ({unknown_share:.2f}, {best:.2f})")
    return ScopeDecision(True)
