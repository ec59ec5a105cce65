"""Robustness: every case asked again through fixed rewrites of its question, and the share of
cases whose outcome (full pass or not) flips.

The rewrites are how the same question reaches the bot on a busy day: lower case, school
abbreviations, common typos, a "hey bot, quick q" opener, and the question at the end of a
longer message. A rewrite that leaves a question unchanged (no term to abbreviate, no long word
to misspell) is not counted for it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from evals.metrics import score_case

ABBREVIATIONS = [
    ("higher level teaching assistants", "HLTAs"), ("higher level teaching assistant", "HLTA"),
    ("teaching assistants", "TAs"), ("teaching assistant", "TA"),
    ("early career teachers", "ECTs"), ("early career teacher", "ECT"),
    ("deputy headteachers", "DHTs"), ("deputy headteacher", "DHT"), ("deputy head", "DHT"),
    ("assistant headteachers", "AHTs"), ("assistant headteacher", "AHT"), ("assistant head", "AHT"),
    ("head of department", "HoD"), ("heads of department", "HoDs"), ("headteachers", "heads"),
    ("headteacher", "head"), ("special educational needs coordinators", "SENDCos"),
    ("senco", "SENDCo"), ("professional development", "CPD"),
    ("national professional qualifications", "NPQs"), ("senior leadership team", "SLT"),
    ("senior leaders", "SLT"),
]
OPENER = "hey bot, quick q: "
PREAMBLE = ("Hi! Hope your week's going ok. I've been talking to my line manager about next "
            "year and wanted to check something. ")
MIN_TYPO_WORD = 7  # letters: shorter words are left alone ...
MAX_TYPOS = 2  # ... and at most this many words are misspelt


def lower(question: str) -> str:
    return question.lower()


def abbreviate(question: str) -> str:
    for full, short in ABBREVIATIONS:
        question = re.sub(rf"\b{re.escape(full)}\b", short, question, flags=re.IGNORECASE)
    return question


def misspell(question: str) -> str:
    """Swap the third and fourth letters of the first long words ("coaching" -> "cocahing")."""
    done = 0

    def swap(match: re.Match) -> str:
        nonlocal done
        word = match.group(0)
        if done >= MAX_TYPOS or len(word) < MIN_TYPO_WORD or word.isupper():
            return word
        done += 1
        return word[:2] + word[3] + word[2] + word[4:]

    return re.sub(r"[A-Za-z]+", swap, question)


def with_opener(question: str) -> str:
    return OPENER + question[:1].lower() + question[1:]


def buried(question: str) -> str:
    return PREAMBLE + question


REWRITES = {"lower case": lower, "abbreviations": abbreviate, "typos": misspell,
            "opener": with_opener, "end of a longer message": buried}


@dataclass
class Perturbation:
    """Outcome flips per rewrite: (flipped, changed questions), and the flipped cases."""

    per_rewrite: dict[str, tuple[int, int]] = field(default_factory=dict)
    flipped: list[dict] = field(default_factory=list)

    @property
    def flip_share(self) -> float:
        changed = sum(n for _, n in self.per_rewrite.values())
        return sum(f for f, _ in self.per_rewrite.values()) / changed if changed else 0.0

    def to_json(self) -> dict:
        return {"flip_share": self.flip_share,
                "per_rewrite": {k: {"flipped": f, "changed": n} for k, (f, n) in self.per_rewrite.items()},
                "flipped": self.flipped}


def perturb(system, run) -> Perturbation:
    """Ask every case of a finished run again through each rewrite; count outcome flips."""
    report = Perturbation()
    for name, rewrite in REWRITES.items():
        flipped = changed = 0
        for case, result in zip(run.cases, run.results):
            question = rewrite(case["question"])
            if question == case["question"]:
                continue
            changed += 1
            answer, retrieved = system.run({**case, "question": question})
            again = score_case(case, answer, [r.text for r in retrieved])
            if again.passed != result.passed:
                flipped += 1
                report.flipped.append({"case_id": case["id"], "rewrite": name,
                                       "question": question, "before": result.passed,
                                       "after": again.passed})
        report.per_rewrite[name] = (flipped, changed)
    return report
