"""The eval set against other editions of the documents (Word, ODF, PDF, HTML folders).

`pdbot eval --documents DIR [DIR ...]` builds an index from each folder and one from the text
edition (the default documents), runs the same cases on each, and prints one column per
edition. Indexes are cached under `<data dir>/editions/<folder name>-<content hash>/`: a
folder whose files are unchanged is not ingested again (and an ingest whose converted text is
unchanged loads no model). One embedder serves every edition and embeds each distinct text
once, so the questions and the text the editions share are embedded once a run.

`--max-drop fact_recall=0.03` fails when an edition scores more than that below the text
edition on the cases whose facts are in the edition's files (evals/in_file.py): the cases a
tool's save dropped the text of are counted and reported per edition, and the limit holds on
the rest, so a lossy save is visible without failing the run and an edition that parses worse
still fails it. An edition that cannot be ingested is a column saying so (and a failure), not
the end of the run.
"""
from __future__ import annotations

import hashlib
import shutil
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from knowledge.catalog import CATALOG_NAME, find_documents
from knowledge.settings import Settings

TEXT_EDITION = "text"
COLUMNS = (("source hit", "source_hit", "{:.3f}"), ("full pass", "full_pass", "{:d}"),
           ("sections", "sections", "{:d}"), ("tables", "tables", "{:d}"),
           ("pathway stages", "stages", "{:d}"))


@dataclass
class EditionResult:
    """One edition's scores: the eval summary plus the sections, tables and stages its index
    holds, each case's result, and the cases whose facts are not in its files."""

    name: str
    folder: Path
    summary: dict
    results: list = field(default_factory=list)  # evals.metrics.CaseResult, one per case
    not_in_file: list[str] = field(default_factory=list)  # case ids (evals/in_file.py)


def edition_data_dir(settings: Settings, folder: Path) -> Path:
    """Where an edition's index is cached: named by the folder and the hash of its files."""
    digest = hashlib.sha256()
    for path in sorted(find_documents([folder]) + [folder / CATALOG_NAME]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return settings.data_dir / "editions" / f"{_name(folder)}-{digest.hexdigest()[:12]}"


def build_edition(settings: Settings, folder: Path, embedder, seed: Path | None = None):
    """Ingest a folder into its cached data directory (nothing to do when unchanged); the
    settings that answer from it, and the ingest's report. A new cache starts as a copy of
    `seed` (the text edition's), so text every edition shares is not embedded again on a later
    run either. Older caches of the folder go."""
    from ingest.pipeline import run_ingest

    data_dir = edition_data_dir(settings, folder)
    for old in data_dir.parent.glob(f"{_name(folder)}-*"):
        if old != data_dir and old.name.rsplit("-", 1)[0] == _name(folder):
            shutil.rmtree(old, ignore_errors=True)
    if seed is not None and seed != data_dir and seed.is_dir() and not data_dir.exists():
        shutil.copytree(seed, data_dir)
    edition = replace(settings, data_dir=data_dir, documents_dir=folder, chroma_url=None)
    report = run_ingest(edition, [folder], embedder=embedder)
    return edition, report


def evaluate_edition(settings: Settings, name: str, folder: Path, cases: list[dict],
                     embedder, engine_for=None, seed: Path | None = None) -> EditionResult:
    """Build (or reuse) the edition's index and run the cases on it."""
    from evals.in_file import cases_not_in_text, file_text
    from evals.runner import EngineSystem, run_cases
    from ingest.errors import IngestError
    from knowledge.index import live_version_dir, read_manifest

    try:
        edition, report = build_edition(settings, folder, embedder, seed)
    except IngestError as exc:
        return EditionResult(name, folder, {"error": str(exc)})
    not_in_file = cases_not_in_text(cases, file_text(report.texts.values()))
    engine = (engine_for or _engine)(edition, embedder)
    run = run_cases(EngineSystem(engine, name=name), cases)
    summary = dict(run.summary)
    manifest = read_manifest(live_version_dir(edition.data_dir))
    for key in ("sections", "tables", "stages"):
        summary[key] = sum(d.get(key, 0) for d in manifest["documents"])
    return EditionResult(name, folder, summary, run.results, not_in_file)


def _engine(settings: Settings, embedder):
    from assistant.answer.engine import Engine

    return Engine.from_settings(settings, embedder=embedder)


def compare_editions(folders: list[Path], settings: Settings, cases: list[dict],
                     embedder=None, engine_for=None) -> list[EditionResult]:
    """The text edition first, then each folder, all on the same cases. One embedder serves
    them all and embeds each distinct text once (the questions, and the text editions share)."""
    from knowledge.memo_embedder import MemoEmbedder

    if embedder is None:
        from knowledge.embedder import Embedder

        embedder = Embedder.for_settings(settings)
    embedder = MemoEmbedder(embedder)
    text = evaluate_edition(settings, TEXT_EDITION, settings.documents_dir, cases, embedder,
                            engine_for)
    seed = edition_data_dir(settings, settings.documents_dir)
    return [text] + [evaluate_edition(settings, _name(f), f, cases, embedder, engine_for, seed)
                     for f in folders]


def scores(result: EditionResult, excluded: set[str] | frozenset = frozenset()) -> dict:
    """The edition's summary, its metrics taken over the cases not `excluded` (all of them when
    nothing is)."""
    from evals.metrics import summarise

    if not excluded:
        return result.summary
    return {**result.summary,
            **summarise([r for r in result.results if r.case_id not in excluded])}


def drops(results: list[EditionResult], limits: dict[str, float]) -> list[str]:
    """One message per edition and metric more than its limit below the text edition, both
    scored on the cases whose facts are in that edition's files."""
    text, problems = results[0], []
    for result in results[1:]:
        if "error" in result.summary:
            problems.append(f"{result.name}: ingest failed: {result.summary['error']}")
            continue
        excluded = set(result.not_in_file)
        mine, theirs = scores(result, excluded), scores(text, excluded)
        on = (f" on the {mine['in_scope']} cases whose facts are in its files" if excluded
              else "")
        same = " on the same cases" if excluded else ""
        for metric, limit in limits.items():
            if metric not in theirs or metric not in mine:
                problems.append(f"unknown metric {metric!r}")
                continue
            drop = theirs[metric] - mine[metric]
            if drop > limit + 1e-9:
                problems.append(f"{result.name}: {metric} {mine[metric]:.3f}{on} is {drop:.3f} "
                                f"below the text edition's {theirs[metric]:.3f}{same} "
                                f"(allowed {limit:g})")
    return sorted(set(problems))


def table_lines(results: list[EditionResult]) -> list[str]:
    """A Markdown table: one row per metric, one column per edition. Fact recall is given on
    all cases and on the cases whose facts are in each edition's files, beside the text
    edition's on those same cases."""
    text = results[0]

    def row(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(
            "ingest failed" if "error" in r.summary else cell(r) for r in results) + " |"

    lines = ["| metric | " + " | ".join(r.name for r in results) + " |",
             "|---|" + "---|" * len(results),
             row("fact recall", lambda r: f"{r.summary.get('fact_recall', 0):.3f}"),
             row("cases whose facts are not in the files", lambda r: str(len(r.not_in_file))),
             row("fact recall, cases with their facts in the files",
                 lambda r: f"{scores(r, set(r.not_in_file)).get('fact_recall', 0):.3f}"),
             row("text edition's, same cases",
                 lambda r: f"{scores(text, set(r.not_in_file)).get('fact_recall', 0):.3f}")]
    for label, key, fmt in COLUMNS:
        lines.append(row(label, lambda r, key=key, fmt=fmt: fmt.format(r.summary.get(key, 0))))
    return lines


def not_in_file_lines(results: list[EditionResult]) -> list[str]:
    """One line per edition whose files lack some cases' facts: how many, which, and fact
    recall with and without them."""
    lines = []
    for result in results:
        if "error" in result.summary or not result.not_in_file:
            continue
        excluded = set(result.not_in_file)
        count = len(excluded)
        kept = scores(result, excluded)
        whose = "case's" if count == 1 else "cases'"
        lines.append(
            f"{result.name}: {count} {whose} facts are not in "
            f"these files ({', '.join(result.not_in_file)}); fact recall "
            f"{result.summary['fact_recall']:.3f} on all cases, {kept['fact_recall']:.3f} on "
            f"the {kept['in_scope']} cases whose facts are there (text edition: "
            f"{scores(results[0], excluded)['fact_recall']:.3f} on the same cases)")
    return lines


def run_editions(settings: Settings, folders: list[Path], cases: list[dict], max_drop: str,
                 out: Path | None = None) -> int:
    """`pdbot eval --documents`: print the table and the cases each edition's files lack (and
    write them to editions.md in `out`); 1 when an edition drops more than `max_drop` allows on
    the cases whose facts are in its files, or fails to ingest."""
    from assistant.errors import InputError
    from evals.compare import parse_thresholds

    try:
        limits = parse_thresholds(max_drop or "")
    except ValueError as exc:
        raise InputError(str(exc).replace("--fail-under", "--max-drop")) from exc
    for folder in folders:
        if not folder.is_dir():
            raise InputError(f"{folder}: not a folder of documents.")
    results = compare_editions(folders, settings, cases)
    lines = table_lines(results)
    notes = not_in_file_lines(results)
    if notes:
        lines += ["", "Cases whose facts are not in an edition's files (--max-drop is applied to "
                      "the other cases):", ""] + [f"- {note}" for note in notes]
    print("\n".join(lines))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "editions.md").write_text("\n".join(lines) + "\n")
    problems = drops(results, limits)
    for problem in problems:
        print(f"pdbot eval: edition below the text edition: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _name(folder: Path) -> str:
    return folder.resolve().name or "documents"
