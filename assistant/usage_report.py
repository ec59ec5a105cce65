"""What staff ask: a usage report from the stored answers, for the people who own the documents.

Questions per day; the share refused, by reason; 👍/👎 counts and reasons; and the refused and
👎 questions grouped by similarity on the embeddings stored with them (the ones retrieval
computed: no model is loaded), each group with its count and three example questions. That
last part is what the documents miss. Written as report.md and a self-contained report.html.
"""
from __future__ import annotations

import html
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

GROUP_SIMILARITY = 0.72  # a question this close to a group's centre joins it
EXAMPLES = 3
MAX_GROUPS = 25


@dataclass
class UsageReport:
    """The figures of one report."""

    days: int
    since: float
    questions: int = 0
    per_day: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    refused_by_reason: dict[str, int] = field(default_factory=dict)
    up: int = 0
    down: int = 0
    down_reasons: list[str] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)  # count, examples, refused, down

    def to_json(self) -> dict:
        return dict(self.__dict__)


def build_usage(store, days: int = 30, now: float | None = None) -> UsageReport:
    """The report over the last `days` days of a FeedbackStore."""
    now = time.time() if now is None else now
    since = now - days * 86400
    answers, votes = store.usage_since(since)
    report = UsageReport(days=days, since=since, questions=len(answers))
    report.per_day = dict(sorted(Counter(_day(a["created"]) for a in answers).items()))
    refused = [a for a in answers if not a["answered"]]
    report.refused = len(refused)
    report.refused_by_reason = dict(Counter(reason_group(a["reason"]) for a in refused).most_common())
    report.up = sum(1 for v in votes if v["vote"] == "up")
    downs = [v for v in votes if v["vote"] == "down"]
    report.down = len(downs)
    report.down_reasons = [v["reason"] for v in downs if v["reason"]]
    missed = [(a["question"], a["vector"], "refused") for a in refused] + \
        [(v["question"], v["vector"], "down") for v in downs]
    report.groups = group_questions(missed)
    return report


def reason_group(reason: str) -> str:
    """"topic:pay" -> "uncovered topic: pay"; "not_stated:amount" -> "documents don't say: amount"."""
    kind, _, detail = (reason or "").partition(":")
    names = {"topic": "uncovered topic", "not_stated": "documents don't say", "weak": "nothing close",
             "instructions": "instructions", "greeting": "small talk", "thanks": "small talk"}
    name = names.get(kind, kind or "not recorded")
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
        if vector is not None and centres:
            similarity = np.array([float(c @ vector) for c in centres])
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


def summary_lines(report: UsageReport) -> list[str]:
    """The report's headline, for Slack and the terminal."""
    share = report.refused / report.questions if report.questions else 0.0
    lines = [f"Last {report.days} days: {report.questions} questions, {share:.0%} not answered "
             f"from the documents; 👍 {report.up}, 👎 {report.down}."]
    if report.refused_by_reason:
        lines.append("Not answered: " + "; ".join(f"{k} {v}" for k, v in report.refused_by_reason.items()))
    if report.groups:
        lines.append("What staff ask that the documents miss (most asked first):")
        lines += [f"• {g['count']}× e.g. \u201c{g['examples'][0]}\u201d" for g in report.groups[:5]]
    return lines


def write_usage_report(report: UsageReport, out_dir: Path) -> dict[str, Path]:
    """report.md and report.html in out_dir; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out_dir / "report.md", "html": out_dir / "report.html"}
    paths["markdown"].write_text(_markdown(report))
    paths["html"].write_text(_html(report))
    return paths


def _day(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(ts))


def _markdown(report: UsageReport) -> str:
    parts = [f"# What staff ask (last {report.days} days)", "", *summary_lines(report), "",
             "## Questions per day", "", "| day | questions |", "|---|---|"]
    parts += [f"| {d} | {n} |" for d, n in report.per_day.items()]
    parts += ["", "## Not answered, by reason", "", "| reason | questions |", "|---|---|"]
    parts += [f"| {k} | {v} |" for k, v in report.refused_by_reason.items()]
    parts += ["", f"## Feedback: 👍 {report.up}, 👎 {report.down}", ""]
    parts += [f"- {reason}" for reason in report.down_reasons] or ["(no reasons given)"]
    parts += ["", "## What the documents miss: refused and 👎 questions, grouped", "",
              "| questions | refused | 👎 | examples |", "|---|---|---|---|"]
    parts += [f"| {g['count']} | {g['refused']} | {g['down']} | "
              + " / ".join(e.replace("|", "/") for e in g["examples"]) + " |" for g in report.groups]
    return "\n".join(parts) + "\n"


def _html(report: UsageReport) -> str:
    from evals.report import html_page, svg_bars

    esc = html.escape
    days = list(report.per_day)
    chart = svg_bars("Questions per day", days, {"questions": [float(report.per_day[d]) for d in days]},
                      ) if days else ""
    reasons = "".join(f"<tr><td>{esc(k)}</td><td>{v}</td></tr>" for k, v in report.refused_by_reason.items())
    groups = "".join(f"<tr><td>{g['count']}</td><td>{g['refused']}</td><td>{g['down']}</td><td>"
                     + "<br>".join(esc(e) for e in g["examples"]) + "</td></tr>" for g in report.groups)
    downs = "".join(f"<li>{esc(r)}</li>" for r in report.down_reasons) or "<li>(no reasons given)</li>"
    summary = "".join(f"<p>{esc(line)}</p>" for line in summary_lines(report))
    return html_page("pdbot usage report", f"""<h1>What staff ask (last {report.days} days)</h1>
{summary}
{chart}
<h2>Not answered, by reason</h2>
<table><thead><tr><th>reason</th><th>questions</th></tr></thead><tbody>{reasons}</tbody></table>
<h2>Feedback: 👍 {report.up}, 👎 {report.down}</h2><ul>{downs}</ul>
<h2>What the documents miss: refused and 👎 questions, grouped</h2>
<table><thead><tr><th>questions</th><th>refused</th><th>👎</th><th>examples</th></tr></thead>
<tbody>{groups}</tbody></table>""")
