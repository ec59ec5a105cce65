"""The usage report as pages: report.md and a self-contained report.html (inline SVG charts).

Counts are drawn on a count axis and shares on 0-1 (evals/charts.py). Every day of the period
is a bar (days without questions too); with three weeks or more, a weekly trend of questions
and of the share answered follows. Votes are written as words ("helpful", "not helpful"): an
emoji shows as an empty box wherever no emoji font is installed.
"""
from __future__ import annotations

import datetime as dt
import html

from assistant.usage_report import UsageReport, headline

WEEKLY_FROM = 3  # weeks in the period before the weekly trend is drawn
DAILY_LABELS = 14  # up to this many days every day is labelled, past it each Monday
PARTIAL = "*"  # marks a week only partly in the period
TITLE = "What staff ask"
GROUPS_HEADING = "What the documents miss: refused and not-helpful questions, grouped"
WEEKS_NOTE = (f"Weeks run Monday to Sunday; {PARTIAL} marks a week only partly in the period, "
              "so its count covers fewer days.")
PAGE_CSS = """figure.chart { margin: 1rem 0; }
.note { color: #555; font-size: .85rem; }
td.n { text-align: right; }"""


def day_series(report: UsageReport) -> tuple[list[str], list[float]]:
    """Labels and question counts for every day of the period; past DAILY_LABELS days only
    Mondays are labelled (the chart thins them further if needed)."""
    days = report.period_days
    labels = [_short(d) if len(days) <= DAILY_LABELS or d.weekday() == 0 else "" for d in days]
    return labels, [float(report.per_day.get(d.isoformat(), 0)) for d in days]


def week_series(report: UsageReport) -> tuple[list[str], list[float], list[float | None]]:
    """Labels (each week's Monday, PARTIAL when only part of it is in the period), questions and
    share answered per week (None for a week without questions)."""
    labels = [_short(dt.date.fromisoformat(w["week"])) + (PARTIAL if w["days"] < 7 else "")
              for w in report.per_week]
    counts = [float(w["questions"]) for w in report.per_week]
    shares = [w["answered"] / w["questions"] if w["questions"] else None for w in report.per_week]
    return labels, counts, shares


def charts(report: UsageReport) -> list[str]:
    """The report's charts as inline SVG figures: questions per day, and with WEEKLY_FROM weeks
    or more, questions per week and the share answered per week."""
    from evals.charts import count_bars, share_bars

    if not report.questions:
        return []
    labels, counts = day_series(report)
    figures = [count_bars("Questions per day", labels, {"questions": counts}, ylabel="questions")]
    if len(report.per_week) >= WEEKLY_FROM:
        labels, counts, shares = week_series(report)
        figures += [count_bars("Questions per week", labels, {"questions": counts},
                               ylabel="questions"),
                    share_bars("Share answered from the documents, per week", labels,
                               {"answered": shares}, ylabel="answered", percent=True)]
    return figures


def markdown_report(report: UsageReport) -> str:
    """report.md: the same figures as the HTML page, as tables."""
    def cell(text) -> str:
        return " ".join(str(text).split()).replace("|", "/")

    parts = [f"# {TITLE} (last {report.days} days)", "", *headline(report), ""]
    if report.per_week and len(report.per_week) >= WEEKLY_FROM:
        parts += ["## Questions per week", "", WEEKS_NOTE, "",
                  "| week of | questions | answered | share answered |", "|---|---|---|---|"]
        parts += [f"| {w['week']}{PARTIAL if w['days'] < 7 else ''} | {w['questions']} | "
                  f"{w['answered']} | {_share(w)} |" for w in report.per_week]
        parts.append("")
    parts += ["## Questions per day", "", "| day | questions |", "|---|---|"]
    parts += [f"| {d} | {n} |" for d, n in report.per_day.items()]
    parts += ["", f"## {GROUPS_HEADING}", "",
              "| questions | refused | not helpful | examples |", "|---|---|---|---|"]
    parts += [f"| {g['count']} | {g['refused']} | {g['down']} | "
              + " / ".join(cell(e) for e in g["examples"]) + " |" for g in report.groups]
    parts += ["", "## Not answered, by reason", "", "| reason | questions |", "|---|---|"]
    parts += [f"| {k} | {v} |" for k, v in report.refused_by_reason.items()]
    parts += ["", "## Coverage of the documents", "", _coverage_line(report), "",
              "### Cited most", "", "| document | section | answers citing it |", "|---|---|---|"]
    parts += [f"| {cell(r['document'])} | {cell(r['heading'])}{_not_live(r)} | {r['answers']} |"
              for r in report.coverage.most_cited]
    parts += ["", "### Never cited in the period", "", "| document | section |", "|---|---|"]
    parts += [f"| {cell(r['document'])} | {cell(r['heading'])} |" for r in report.coverage.never_cited]
    parts += ["", f"## Votes: helpful {report.up}, not helpful {report.down}", "",
              "Reasons given with a not-helpful vote:", ""]
    parts += [f"- {cell(reason)}" for reason in report.down_reasons] or ["(no reasons given)"]
    return "\n".join(parts) + "\n"


def html_report(report: UsageReport) -> str:
    """report.html: one self-contained page (styles and charts inline, nothing fetched)."""
    from evals.report import html_page

    esc = html.escape
    figures = "\n".join(charts(report))
    weeks = ""
    if len(report.per_week) >= WEEKLY_FROM:
        weeks = (f'<p class="note">{esc(WEEKS_NOTE)}</p>' + _table(
            ["week of", "questions", "answered", "share answered"],
            [[w["week"] + (PARTIAL if w["days"] < 7 else ""), w["questions"], w["answered"],
              _share(w)] for w in report.per_week]))
    days = _table(["day", "questions"], list(report.per_day.items()))
    groups = "".join(f'<tr><td class="n">{g["count"]}</td><td class="n">{g["refused"]}</td>'
                     f'<td class="n">{g["down"]}</td><td>'
                     + "<br>".join(esc(e) for e in g["examples"]) + "</td></tr>" for g in report.groups)
    coverage = report.coverage
    cited = _table(["document", "section", "answers citing it"],
                   [[r["document"], r["heading"] + _not_live(r), r["answers"]]
                    for r in coverage.most_cited])
    never = _table(["document", "section"], [[r["document"], r["heading"]]
                                             for r in coverage.never_cited])
    downs = "".join(f"<li>{esc(r)}</li>" for r in report.down_reasons) or "<li>(no reasons given)</li>"
    summary = "".join(f"<p>{esc(line)}</p>" for line in headline(report))
    return html_page("pdbot usage report", f"""<h1>{TITLE} (last {report.days} days)</h1>
{summary}
<h2>Questions over time</h2>
{figures}
{weeks}
<details><summary>Questions per day, as a table</summary>{days}</details>
<h2>{esc(GROUPS_HEADING)}</h2>
<table><thead><tr><th>questions</th><th>refused</th><th>not helpful</th><th>examples</th></tr></thead>
<tbody>{groups}</tbody></table>
<h2>Not answered, by reason</h2>
{_table(["reason", "questions"], list(report.refused_by_reason.items()))}
<h2>Coverage of the documents</h2>
<p>{esc(_coverage_line(report))}</p>
<h3>Cited most</h3>{cited}
<h3>Never cited in the period</h3>{never}
<h2>Votes: helpful {report.up}, not helpful {report.down}</h2>
<p>Reasons given with a not-helpful vote:</p><ul>{downs}</ul>""", PAGE_CSS)


def _table(head: list[str], rows: list) -> str:
    esc = html.escape
    cells = "".join("<tr>" + "".join(
        f'<td class="n">{v}</td>' if isinstance(v, (int, float)) else f"<td>{esc(str(v))}</td>"
        for v in row) + "</tr>" for row in rows)
    return (f"<table><thead><tr>{''.join(f'<th>{esc(h)}</th>' for h in head)}</tr></thead>"
            f"<tbody>{cells}</tbody></table>")


def _coverage_line(report: UsageReport) -> str:
    coverage = report.coverage
    if not coverage.total:
        return "No index version is live, so only the sections cited are listed."
    return (f"Staff reached {coverage.reached} of the {coverage.total} sections of the live "
            f"index version {coverage.version} ({coverage.share:.0%}): a section is reached when "
            "an answer in the period cited it.")


def _not_live(row: dict) -> str:
    return "" if row["live"] else " (not in the live version)"


def _share(week: dict) -> str:
    return f"{week['answered'] / week['questions']:.0%}" if week["questions"] else "-"


def _short(day: dt.date) -> str:
    """"12 May": short enough for 14 labels side by side on a 7-inch chart."""
    return f"{day.day} {day:%b}"
