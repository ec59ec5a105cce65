"""Rendering results for the terminal: answers with sources, ingest reports, eval summaries."""
from __future__ import annotations

from knowledge.records import Answer


def format_answer(answer: Answer) -> str:
    """The answer text, then its numbered sources as "document (date) › section"."""
    if not answer.citations:
        return answer.answer
    lines = [answer.answer, "", "Sources"]
    for c in answer.citations:
        date = f" ({c.date})" if c.date else ""
        lines.append(f"[{c.n}] {c.document}{date} › {c.section}")
    return "\n".join(lines)


def print_ingest_report(report, settings) -> None:
    """One line when nothing changed; otherwise what was indexed and what was embedded."""
    if report.up_to_date:
        print(f"Index in {settings.data_dir} is up to date ({report.chunks} chunks from "
              f"{len(report.documents)} documents); nothing to do.")
        return
    print(f"Indexed {len(report.documents)} documents ({', '.join(report.documents)}): "
          f"{report.sections} sections, {report.chunks} chunks.")
    print(f"Embedded {report.embedded} texts, reused {report.reused} "
          f"({report.embed_seconds:.1f}s embedding, {report.seconds:.1f}s in all) "
          f"into {settings.data_dir}.")


def print_eval_summary(summary: dict, results) -> None:
    """The eval totals as a table, then the failing cases."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Answer-quality eval", show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("cases (in scope / out of scope)",
         f"{summary['cases']} ({summary['in_scope']} / {summary['out_of_scope']})"),
        ("fact recall", f"{summary['fact_recall']:.3f}"),
        ("full pass (in scope)", f"{summary['full_pass']} / {summary['in_scope']}"),
        ("source hit rate", f"{summary['source_hit']:.3f}"),
        ("out-of-scope refusal rate", f"{summary['oos_refusal']:.3f}"),
        ("false refusals", str(summary["false_refusals"])),
        ("answer chars median / p90",
         f"{summary['answer_chars_median']:.0f} / {summary['answer_chars_p90']:.0f}"),
        ("latency ms p50 / p95",
         f"{summary['latency_ms_p50']:.1f} / {summary['latency_ms_p95']:.1f}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    failing = [r for r in results if not r.passed]
    if failing:
        console.print(f"{len(failing)} cases did not fully pass:")
        for r in failing:
            what = ("answered, should refuse" if not r.in_scope else
                    "refused" if not r.answered else
                    f"facts {r.facts_met}/{r.facts_total}, sources {r.sources_met}/{r.sources_total}")
            console.print(f"  {r.case_id}: {what}", markup=False)


def print_bench(results: dict) -> None:
    """Benchmark figures as a table, each next to its reference."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="pdbot bench")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("reference")
    for row in results["rows"]:
        table.add_row(row["measure"], row["value"], row["reference"])
    Console().print(table)
