"""What staff ask: a usage report from the stored answers, for the people who own the documents.

Questions per day and per week, and the share answered; the share refused, by reason; helpful /
not helpful votes and their reasons; the refused (but not instructions or small talk, which no
document would answer) and not-helpful questions grouped by similarity
on the embeddings stored with them (the ones retrieval computed: no model is loaded), each group
with its count and three example questions (what the documents miss); and which sections of the
live documents staff reached (assistant/usage_coverage.py). Written as report.md and a
self-contained report.html (assistant/usage_pages.py); Slack gets `usage_message`.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.usage_coverage import Coverage, SectionRef, measure_coverage

GROUP_SIMILARITY = 0.72  # a question this close to a group's centre joins it
EXAMPLES = 3
MAX_GROUPS = 25
NOT_GAPS = {"instructions", "greeting", "thanks"}  # refusals that no document would answer
SLACK_GROUPS = 3  # groups of refused questions in the owner's `usage` message
VOTES = {True: ("\N{THUMBS UP SIGN}", "\N{THUMBS DOWN SIGN}"), False: ("helpful", "not helpful")}


@dataclass
class UsageReport:
    """The figures of one report; `per_week` rows are week (its Monday), days (of it in the
    period), questions and answered."""

    days: int
    since: float
    until: float = 0.0
    questions: int = 0
    answered: int = 0
    per_day: dict[str, int] = field(default_factory=dict)
    per_week: list[dict] = field(default_factory=list)
    refused: int = 0
    refused_by_reason: dict[str, int] = field(default_factory=dict)
    up: int = 0
    down: int = 0
    down_reasons: list[str] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)  # count, examples, refused, down
    coverage: Coverage = field(default_factory=Coverage)

    def to_json(self) -> dict:
        return {**self.__dict__, "coverage": asdict(self.coverage)}

    @property
    def period_days(self) -> list[dt.date]:
        """Every calendar day of the period, first to last (local time)."""
        first, last = _date(self.since), _date(self.until)
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def build_usage(store, days: int = 30, now: float | None = None,
                live: tuple[str, list[SectionRef]] | None = None) -> UsageReport:
    """The report over the last `days` days of a FeedbackStore; `live` is the live index
    version's sections (usage_coverage.live_sections), None when none is live."""
    now = time.time() if now is None else now
    since = now - days * 86400
    answers, votes = store.usage_since(since)
    report = UsageReport(days=days, since=since, until=now, questions=len(answers))
    report.answered = sum(1 for a in answers if a["answered"])
    report.per_day = dict(sorted(Counter(_day(a["created"]) for a in answers).items()))
    report.per_week = weekly(report, answers)
    refused = [a for a in answers if not a["answered"]]
    report.refused = len(refused)
    report.refused_by_reason = dict(Counter(reason_group(a["reason"]) for a in refused).most_common())
    report.up = sum(1 for v in votes if v["vote"] == "up")
    downs = [v for v in votes if v["vote"] == "down"]
    report.down = len(downs)
    report.down_reasons = [v["reason"] for v in downs if v["reason"]]
    missed = [(a["question"], a["vector"], "refused") for a in refused
              if (a["reason"] or "").partition(":")[0] not in NOT_GAPS] + \
        [(v["question"], v["vector"], "down") for v in downs]
    report.groups = group_questions(missed)
    report.coverage = measure_coverage(answers, live)
    return report


def weekly(report: UsageReport, answers: list[dict]) -> list[dict]:
    """Questions and answered per week (Monday to Sunday) over the whole period, empty weeks
    included; `days` says how many of the week's days fall in the period (7 but at the ends)."""
    weeks: dict[dt.date, dict] = {}
    for day in report.period_days:
        monday = day - dt.timedelta(days=day.weekday())
        weeks.setdefault(monday, {"week": monday.isoformat(), "days": 0, "questions": 0,
                                  "answered": 0})["days"] += 1
    for answer in answers:
        day = _date(answer["created"])
        row = weeks.get(day - dt.timedelta(days=day.weekday()))
        if row is not None:
            row["questions"] += 1
            row["answered"] += int(bool(answer["answered"]))
    return list(weeks.values())


DETAILS = {"other_org": "another organisation", "it": "IT", "hr": "HR"}


def reason_group(reason: str) -> str:
    """"topic:pay" -> "uncovered topic: pay"; "not_stated:amount" -> "documents don't say: amount"."""
    kind, _, detail = (reason or "").partition(":")
    names = {"topic": "uncovered topic", "not_stated": "documents don't say", "weak": "nothing close",
             "instructions": "instructions", "greeting": "small talk", "thanks": "small talk"}
    name = names.get(kind, kind or "not recorded")
    detail = DETAILS.get(detail, detail.replace("_", " "))
    return f"{name}: {detail}" if detail and kind in ("topic", "not_stated") else name


def group_questions(items: list[tuple[str | None, np.ndarray | None, str]]) -> list[dict]:
    """Questions grouped by the cosine similarity of their embeddings to each group's centre
    (one pass, greedy); a question stored without an embedding is grouped by its text."""
    groups: list[dict] = []
    centres: list[np.ndarray] = []
    for question, vector, outcome in items:
        if not question:
            continue
        index = None
        if vector is not None and centres:  # groups begun by a question without one never match
            similarity = np.array([float(c @ vector) if c.size else -1.0 for c in centres])
            best = int(similarity.argmax())
            if similarity[best] >= GROUP_SIMILARITY:
                index = best
        if index is None and vector is None:
            index = next((i for i, g in enumerate(groups) if question in g["examples"]), None)
        if index is None:
            groups.append({"count": 0, "examples": [], "refused": 0, "down": 0, "_sum": None})
            centres.append(vector / max(float(np.linalg.norm(vector)), 1e-9)
                           if vector is not None else np.zeros(0, dtype=np.float32))
            index = len(groups) - 1
        group = groups[index]
        group["count"] += 1
        group[outcome] += 1
        if question not in group["examples"] and len(group["examples"]) < EXAMPLES:
            group["examples"].append(question)
        if vector is not None and centres[index].size:
            group["_sum"] = vector if group["_sum"] is None else group["_sum"] + vector
            centres[index] = group["_sum"] / max(float(np.linalg.norm(group["_sum"])), 1e-9)
    for group in groups:
        group.pop("_sum", None)
    return sorted(groups, key=lambda g: -g["count"])[:MAX_GROUPS]


def headline(report: UsageReport, emoji: bool = False) -> list[str]:
    """The report's figures in three lines: questions and the share answered, votes (emoji for
    Slack, words wherever an emoji font may be missing) and the share of sections reached."""
    first, last = _date(report.since), _date(report.until)
    if not report.questions:
        lines = [f"Last {report.days} days ({first} to {last}): no questions stored."]
    else:
        share = report.answered / report.questions
        lines = [f"Last {report.days} days ({first} to {last}): {report.questions} questions, "
                 f"{report.answered} answered from the documents ({share:.0%}), "
                 f"{report.refused} not answered."]
    up, down = VOTES[emoji]
    lines.append(f"Votes on answers: {up} {report.up}, {down} {report.down}.")
    coverage = report.coverage
    if coverage.total:
        lines.append(f"Staff reached {coverage.reached} of the {coverage.total} sections of the "
                     f"live documents ({coverage.share:.0%}); {len(coverage.never_cited)} were "
                     "never cited.")
    else:
        lines.append("No index version is live, so the sections reached are not counted.")
    return lines


def summary_lines(report: UsageReport) -> list[str]:
    """The headline (in words), the refusal reasons and the five largest groups of what the
    documents miss: what `pdbot usage` prints."""
    lines = headline(report)
    if report.refused_by_reason:
        lines.append("Not answered: " + "; ".join(f"{k} {v}" for k, v in report.refused_by_reason.items()))
    if report.groups:
        lines.append("What staff ask that the documents miss (most asked first):")
        lines += [f"\u2022 {g['count']}\u00d7 e.g. \u201c{g['examples'][0]}\u201d" for g in report.groups[:5]]
    return lines


def refused_groups(report: UsageReport, count: int = SLACK_GROUPS) -> list[dict]:
    """The `count` groups with the most refused questions (not-helpful votes aside)."""
    refused = sorted((g for g in report.groups if g["refused"]), key=lambda g: -g["refused"])
    return refused[:count]


def usage_message(report: UsageReport) -> str:
    """The owner's `usage` DM (Slack mrkdwn, emoji kept): the figures and the three largest
    groups of refused questions in the message itself; report.html comes attached."""
    lines = ["*What staff ask* (the usage report)", *headline(report, emoji=True)]
    groups = refused_groups(report)
    if groups:
        lines.append("*Asked most, not answered from the documents:*")
        lines += [f"\u2022 {g['refused']} question{'s' if g['refused'] != 1 else ''} like "
                  f"\u201c{_slack_quote(g['examples'][0])}\u201d" for g in groups]
    lines.append("The full report is attached: charts, every group, the sections cited most "
                 "and never (open report.html in a browser).")
    return "\n".join(lines)


def write_usage_report(report: UsageReport, out_dir: Path) -> dict[str, Path]:
    """report.md and report.html in out_dir; returns their paths."""
    from assistant.usage_pages import html_report, markdown_report

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out_dir / "report.md", "html": out_dir / "report.html"}
    paths["markdown"].write_text(markdown_report(report))
    paths["html"].write_text(html_report(report))
    return paths


def _slack_quote(text: str, limit: int = 150) -> str:
    """A question on one line, shortened, with Slack's three control characters escaped."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(ts: float) -> dt.date:
    return dt.date.fromtimestamp(ts)


def _day(ts: float) -> str:
    return _date(ts).isoformat()
