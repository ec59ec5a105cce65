"""Eval reports people read: report.md and a self-contained report.html (inline SVG charts),
plus results.json for `--compare`. Failing cases come first."""
from __future__ import annotations

import html
import json
from pathlib import Path

SUMMARY_ROWS = [
    ("fact recall", "fact_recall", "{:.3f}"), ("full pass (in scope)", "full_pass", "{}"),
    ("source hit rate", "source_hit", "{:.3f}"), ("retrieval MRR", "mrr", "{:.3f}"),
    ("retrieval recall@1", "recall_at_1", "{:.3f}"), ("retrieval recall@3", "recall_at_3", "{:.3f}"),
    ("retrieval recall@5", "recall_at_5", "{:.3f}"),
    ("citation validity", "citation_validity", "{:.3f}"),
    ("out-of-scope refusal rate", "oos_refusal", "{:.3f}"),
    ("false refusals", "false_refusals", "{}"),
    ("answer chars median", "answer_chars_median", "{:.0f}"),
    ("answer chars p90", "answer_chars_p90", "{:.0f}"),
    ("latency ms p50", "latency_ms_p50", "{:.1f}"), ("latency ms p95", "latency_ms_p95", "{:.1f}"),
]
JUDGED_ROWS = [("faithfulness (model-judged)", "faithfulness"),
               ("answer relevancy (model-judged)", "relevancy")]


def summary_table(runs) -> list[list[str]]:
    """Rows: metric, then one value per run (judged metrics say "not run" without an LLM)."""
    rows = [["metric", *(r.system for r in runs)],
            ["cases", *(f"{r.summary['cases']} ({r.summary['in_scope']} in scope)" for r in runs)]]
    rows += [[label, *(fmt.format(r.summary[key]) for r in runs)] for label, key, fmt in SUMMARY_ROWS]
    rows += [[label, *(f"{r.judged[key]:.3f}" if r.judged else "not run" for r in runs)]
             for label, key in JUDGED_ROWS]
    return rows


def _breakdown_rows(run, attribute: str) -> list[list[str]]:
    rows = [[attribute, "cases", "fact recall", "source hit", "recall@1 / @3 / @5", "full pass",
             "refusals (oos / false)"]]
    for name, s in getattr(run, attribute).items():
        rows.append([name, str(s["cases"]), f"{s['fact_recall']:.3f}", f"{s['source_hit']:.3f}",
                     f"{s['recall_at_1']:.2f} / {s['recall_at_3']:.2f} / {s['recall_at_5']:.2f}",
                     f"{s['full_pass']}/{s['in_scope']}",
                     f"{s['oos_refusal']:.2f} / {s['false_refusals']}"])
    return rows


def _case_rows(run) -> list[dict]:
    rows = []
    for result, case, answer in zip(run.results, run.cases, run.answers):
        rows.append({
            "id": result.case_id, "kind": result.kind, "passed": result.passed,
            "question": case["question"], "answer": answer["answer"],
            "sources": [f"[{c['n']}] {c['document']} › {c['section']}" for c in answer["citations"]],
            "missed": ([" / ".join(g) for g in result.missed_facts]
                       + [f"source: {' / '.join(g)}" for g in result.missed_sources]
                       + ([] if result.citations_valid else ["a [n] with no citation"])
                       + (["answered, should refuse"] if not result.in_scope and result.answered else [])
                       + (["refused"] if result.in_scope and not result.answered else [])),
            "trace": [f"{t['stage']}: {t['rule']}" + (f" — {t['detail']}" if t.get("detail") else "")
                      for t in answer.get("trace", [])],
        })
    return sorted(rows, key=lambda r: r["passed"])  # failing first


def _markdown_table(rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in rows[0]) + " |",
             "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def write_markdown(path: Path, runs, comparison: dict | None) -> None:
    main = runs[0]
    parts = ["# Answer-quality eval", "", _markdown_table(summary_table(runs)), ""]
    parts += ["## By case kind", "", _markdown_table(_breakdown_rows(main, "by_kind")), "",
              "## By document", "", _markdown_table(_breakdown_rows(main, "by_document")), ""]
    parts += extra_sections(main)
    if comparison is not None:
        parts += ["## Compared with the previous run", ""]
        for change in ("worse", "better"):
            parts.append(f"**{change}: {len(comparison[change])}**")
            parts += [f"- `{c['case_id']}`: {c['before']} → {c['after']}" for c in comparison[change]]
            parts.append("")
    parts += ["## Cases (failing first)", ""]
    for row in _case_rows(main):
        mark = "PASS" if row["passed"] else "FAIL"
        parts += [f"### {mark} `{row['id']}` ({row['kind']})", "", f"**Q:** {row['question']}", "",
                  "**A:** " + row["answer"].replace("\n", "  \n"), ""]
        if row["sources"]:
            parts += ["Sources: " + "; ".join(row["sources"]), ""]
        if row["missed"]:
            parts += ["Missed: " + "; ".join(row["missed"]), ""]
        if row["trace"] and not row["passed"]:
            parts += ["Trace:", "", *[f"- {t}" for t in row["trace"]], ""]
    path.write_text("\n".join(parts))


def extra_sections(run) -> list[str]:
    """Markdown for the classifier report, the perturbation results and the per-section table,
    when they were run."""
    from evals.sections import section_lines
    from evals.understanding import report_lines

    parts = []
    if run.by_section and getattr(run, "show_sections", False):
        parts += ["## By section", "", *section_lines(run.by_section), ""]
    if run.understanding:
        parts += ["## Reading questions", "", *report_lines(run.understanding), ""]
    if run.perturbation:
        p = run.perturbation
        parts += ["## Robustness (rewritten questions)", "",
                  f"Outcome flipped for {p['flip_share']:.1%} of rewritten questions.", "",
                  "| rewrite | questions changed | outcome flipped |", "|---|---|---|"]
        parts += [f"| {k} | {v['changed']} | {v['flipped']} |" for k, v in p["per_rewrite"].items()]
        if p["flipped"]:
            parts += ["", "Flipped: " + "; ".join(
                f"`{f['case_id']}` ({f['rewrite']}: {'pass→fail' if f['before'] else 'fail→pass'})"
                for f in p["flipped"])]
        parts.append("")
    return parts


def write_html(path: Path, runs, comparison: dict | None) -> None:
    esc = html.escape
    main = runs[0]

    def table(rows: list[list[str]], cls: str = "") -> str:
        head = "".join(f"<th>{esc(str(c))}</th>" for c in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>"
                       for row in rows[1:])
        return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    metrics = ["fact_recall", "source_hit", "mrr", "citation_validity", "oos_refusal"]
    from evals.charts import share_bars

    chart = share_bars("Summary", metrics, {r.system: [r.summary[m] for m in metrics] for r in runs})
    kinds = list(main.by_kind)
    kind_chart = share_bars("Fact recall by case kind", kinds,
                           {r.system: [r.by_kind.get(k, {}).get("fact_recall", 0) for k in kinds]
                            for r in runs})
    cases = "".join(
        f'<tr class="{"pass" if row["passed"] else "fail"}"><td>{"PASS" if row["passed"] else "FAIL"}</td>'
        f'<td><code>{esc(row["id"])}</code><br>{esc(row["kind"])}</td><td>{esc(row["question"])}</td>'
        f'<td class="answer">{esc(row["answer"])}</td><td>{"<br>".join(esc(s) for s in row["sources"])}</td>'
        f'<td>{"<br>".join(esc(m) for m in row["missed"])}</td>'
        f'<td class="trace">{"<br>".join(esc(t) for t in row["trace"])}</td></tr>'
        for row in _case_rows(main))
    compared = ""
    if comparison is not None:
        items = "".join(f"<h3>{change}: {len(comparison[change])}</h3><ul>" + "".join(
            f"<li><code>{esc(c['case_id'])}</code>: {esc(c['before'])} → {esc(c['after'])}</li>"
            for c in comparison[change]) + "</ul>" for change in ("worse", "better"))
        compared = f"<h2>Compared with the previous run</h2>{items}"
    body = f"""<h1>Answer-quality eval</h1>
<h2>Summary</h2>
{table(summary_table(runs), "summary")}
<p>Metrics marked "model-judged" come from an LLM and are not deterministic; "not run" means no
LLM was configured.</p>
{chart}
<h2>By case kind</h2>{table(_breakdown_rows(main, "by_kind"))}{kind_chart}
<h2>By document</h2>{table(_breakdown_rows(main, "by_document"))}
{_markdown_as_html(extra_sections(main))}
{compared}
<h2>Cases (failing first)</h2>
<table class="cases"><thead><tr><th>result</th><th>case</th><th>question</th><th>answer</th>
<th>sources</th><th>missed</th><th>trace</th></tr></thead><tbody>{cases}</tbody></table>"""
    path.write_text(html_page("pdbot eval report", body, CASE_CSS))


PAGE_CSS = """body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { border: 1px solid #ccc; padding: .3rem .5rem; vertical-align: top; font-size: .9rem; }
th { background: #f0f0f0; }
figure.chart { margin: 1rem 0; }"""
CASE_CSS = """tr.fail td:first-child { color: #a00; font-weight: bold; }
tr.pass td:first-child { color: #070; }
td.answer { white-space: pre-wrap; max-width: 40rem; }
td.trace { font-size: .75rem; color: #555; max-width: 24rem; }"""


def html_page(title: str, body: str, css: str = "") -> str:
    """A self-contained HTML page (styles inline, nothing fetched) around `body`."""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>'
            f'{html.escape(title)}</title>\n<style>\n{PAGE_CSS}\n{css}\n</style></head><body>\n'
            f'{body}\n</body></html>')


def _markdown_as_html(lines: list[str]) -> str:
    """The few Markdown shapes extra_sections writes (headings, tables, paragraphs) as HTML."""
    esc = html.escape
    out, table = [], []
    for line in lines + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not set("".join(cells)) <= set("-"):
                table.append(cells)
            continue
        if table:
            head = "".join(f"<th>{esc(c)}</th>" for c in table[0])
            body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                           for row in table[1:])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            table = []
        if line.startswith("## "):
            out.append(f"<h2>{esc(line[3:])}</h2>")
        elif line:
            out.append(f"<p>{esc(line)}</p>")
    return "".join(out)


def write_report(out_dir: Path, runs, comparison: dict | None = None) -> dict[str, Path]:
    """Write report.md, report.html and results.json into out_dir; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out_dir / "report.md", "html": out_dir / "report.html",
             "json": out_dir / "results.json"}
    write_markdown(paths["markdown"], runs, comparison)
    write_html(paths["html"], runs, comparison)
    paths["json"].write_text(json.dumps({"runs": [r.to_json() for r in runs]}, indent=1,
                                        ensure_ascii=False))
    return paths
