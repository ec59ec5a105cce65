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
    """One line when nothing changed; one line per document for a first index; otherwise the
    section-level changes, what was indexed and embedded, and the eval cases to re-check.
    Warnings (a PDF page that is only an image) come first, whatever happened."""
    for warning in report.warnings:
        print(f"Warning: {warning}")
    if report.up_to_date:
        print(f"Index in {settings.data_dir} is up to date ({report.chunks} chunks from "
              f"{len(report.documents)} documents); nothing to do.")
        return
    if report.first:  # a first index: what is in it, not a list of everything "added"
        for doc, line in zip(report.per_document, report.structure_lines()):
            print(f"{line}, {doc['chunks']} chunks")
        print(f"Indexed {len(report.per_document)} documents: {report.sections} sections, "
              f"{report.chunks} chunks, {report.embedded} texts embedded in "
              f"{report.seconds:.1f}s, into {settings.data_dir}.")
        return
    if report.per_document:
        print("Structure found (the live version's counts in brackets):")
        for line in report.structure_lines():
            print(f"  {line}")
    if report.changes is not None:
        for line in report.changes.lines():
            print(line)
    if report.dry_run:
        print(f"Dry run: nothing was changed in {settings.data_dir}.")
        return
    print(f"Indexed {len(report.documents)} documents ({', '.join(report.documents)}): "
          f"{report.sections} sections, {report.chunks} chunks.")
    print(f"Embedded {report.embedded} texts, reused {report.reused} "
          f"({report.embed_seconds:.1f}s embedding, {report.seconds:.1f}s in all) "
          f"into {settings.data_dir}.")


def print_eval_summary(runs, comparison: dict | None = None) -> None:
    """The summary table (one column per system), then the failing cases and any comparison."""
    from rich.console import Console
    from rich.table import Table

    from evals.report import summary_table

    console = Console()
    rows = summary_table(runs)
    table = Table(title="Answer-quality eval")
    for k, header in enumerate(rows[0]):
        table.add_column(header, justify="left" if k == 0 else "right")
    for row in rows[1:]:
        table.add_row(*row)
    console.print(table)
    understanding = runs[0].understanding
    if understanding:
        console.print(f"Intent classifier: {understanding['accuracy']:.3f} accuracy "
                      f"({understanding['folds']}-fold cross-validated, "
                      f"{understanding['examples']} examples)")
    if runs[0].perturbation:
        p = runs[0].perturbation
        changed = sum(v["changed"] for v in p["per_rewrite"].values())
        console.print(f"Rewritten questions: outcome flipped for {p['flip_share']:.1%} of {changed}")
    failing = [r for r in runs[0].results if not r.passed]
    if failing:
        console.print(f"{len(failing)} cases did not fully pass:")
        for r in failing:
            what = ("answered, should refuse" if not r.in_scope else
                    "refused" if not r.answered else
                    f"facts {r.facts_met}/{r.facts_total}, sources {r.sources_met}/{r.sources_total}")
            console.print(f"  {r.case_id}: {what}", markup=False)
    if comparison is not None:
        for change in ("worse", "better"):
            console.print(f"{change} than the previous run: {len(comparison[change])}")
            for c in comparison[change]:
                console.print(f"  {c['case_id']}: {c['before']} -> {c['after']}", markup=False)


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


def print_versions(rows: list[dict]) -> None:
    """The published versions as a table, newest first, the live one marked; `--json` has
    everything (file names, full hashes, rollbacks)."""
    import time

    from rich.console import Console
    from rich.table import Table

    if not rows:
        print("No published versions yet: run `pdbot ingest`.")
        return
    table = Table(title="Index versions (newest first)")
    for column in ("version", "published", "by"):
        table.add_column(column, no_wrap=True)
    for column in ("documents", "changed", "eval"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            ("● " if row["live"] else "  ") + row["version"],
            time.strftime("%d %b %H:%M", time.localtime(row["published"])),
            row["published_by"],
            ", ".join(d["id"] for d in row["documents"]),
            _changed(row["changes"] or {}),
            (f"recall {row['eval']['fact_recall']:.3f}, sources {row['eval']['source_hit']:.3f}")
            if row["eval"] else "not run")
    Console().print(table)
    print("● live. `pdbot rollback [VERSION]` makes another one live; `--json` adds "
          "files, hashes and rollbacks.")


def _changed(changes: dict) -> str:
    """"+2 docs, ~1 sections" from a version's change lists (+ added, - removed, ~ changed)."""
    parts = []
    for kind in ("documents", "sections"):
        for key, sign in (("added", "+"), ("removed", "-"), ("changed", "~")):
            count = len(changes.get(f"{kind}_{key}", []))
            if count and not (kind == "documents" and key == "changed"):
                parts.append(f"{sign}{count} {'docs' if kind == 'documents' else 'sections'}")
    return ", ".join(parts) or "—"
