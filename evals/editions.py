"""The eval set against other editions of the documents (Word, ODF, PDF, HTML folders).

`pdbot eval --documents DIR [DIR ...]` builds an index from each folder and one from the text
edition (the default documents), runs the same cases on each, and prints one column per
edition. Indexes are cached under `<data dir>/editions/<folder name>-<content hash>/`: a
folder whose files are unchanged is not ingested again (and an ingest whose converted text is
unchanged loads no model). `--max-drop fact_recall=0.03` fails when an edition scores more
than that below the text edition.
"""
from __future__ import annotations

import hashlib
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from knowledge.catalog import CATALOG_NAME, find_documents
from knowledge.settings import Settings

TEXT_EDITION = "text"
COLUMNS = (("fact recall", "fact_recall", "{:.3f}"), ("source hit", "source_hit", "{:.3f}"),
           ("full pass", "full_pass", "{:d}"), ("sections", "sections", "{:d}"))


@dataclass
class EditionResult:
    """One edition's scores: the eval summary plus the sections its index holds."""

    name: str
    folder: Path
    summary: dict


def edition_data_dir(settings: Settings, folder: Path) -> Path:
    """Where an edition's index is cached: named by the folder and the hash of its files."""
    digest = hashlib.sha256()
    for path in sorted(find_documents([folder]) + [folder / CATALOG_NAME]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return settings.data_dir / "editions" / f"{_name(folder)}-{digest.hexdigest()[:12]}"


def build_edition(settings: Settings, folder: Path, embedder, seed: Path | None = None
                  ) -> Settings:
    """Ingest a folder into its cached data directory (nothing to do when unchanged); the
    settings that answer from it. A new cache starts as a copy of `seed` (the text edition's),
    so text every edition shares is not embedded again. Older caches of the folder go."""
    from ingest.pipeline import run_ingest

    data_dir = edition_data_dir(settings, folder)
    for old in data_dir.parent.glob(f"{_name(folder)}-*"):
        if old != data_dir and old.name.rsplit("-", 1)[0] == _name(folder):
            shutil.rmtree(old, ignore_errors=True)
    if seed is not None and seed != data_dir and seed.is_dir() and not data_dir.exists():
        shutil.copytree(seed, data_dir)
    edition = replace(settings, data_dir=data_dir, documents_dir=folder, chroma_url=None)
    run_ingest(edition, [folder], embedder=embedder)
    return edition


def evaluate_edition(settings: Settings, name: str, folder: Path, cases: list[dict],
                     embedder, engine_for=None, seed: Path | None = None) -> EditionResult:
    """Build (or reuse) the edition's index and run the cases on it."""
    from evals.runner import EngineSystem, run_cases
    from knowledge.index import live_version_dir, read_manifest

    edition = build_edition(settings, folder, embedder, seed)
    engine = (engine_for or _engine)(edition, embedder)
    summary = dict(run_cases(EngineSystem(engine, name=name), cases).summary)
    manifest = read_manifest(live_version_dir(edition.data_dir))
    summary["sections"] = sum(d.get("sections", 0) for d in manifest["documents"])
    return EditionResult(name, folder, summary)


def _engine(settings: Settings, embedder):
    from assistant.answer.engine import Engine

    return Engine.from_settings(settings, embedder=embedder)


def compare_editions(folders: list[Path], settings: Settings, cases: list[dict],
                     embedder=None, engine_for=None) -> list[EditionResult]:
    """The text edition first, then each folder, all on the same cases."""
    if embedder is None:
        from knowledge.embedder import Embedder

        embedder = Embedder.for_settings(settings)
    text = evaluate_edition(settings, TEXT_EDITION, settings.documents_dir, cases, embedder,
                            engine_for)
    seed = edition_data_dir(settings, settings.documents_dir)
    return [text] + [evaluate_edition(settings, _name(f), f, cases, embedder, engine_for, seed)
                     for f in folders]


def drops(results: list[EditionResult], limits: dict[str, float]) -> list[str]:
    """One message per edition and metric more than its limit below the text edition."""
    text, problems = results[0].summary, []
    for result in results[1:]:
        for metric, limit in limits.items():
            if metric not in text or metric not in result.summary:
                problems.append(f"unknown metric {metric!r}")
                continue
            drop = text[metric] - result.summary[metric]
            if drop > limit + 1e-9:
                problems.append(f"{result.name}: {metric} {result.summary[metric]:.3f} is "
                                f"{drop:.3f} below the text edition's {text[metric]:.3f} "
                                f"(allowed {limit:g})")
    return sorted(set(problems))


def table_lines(results: list[EditionResult]) -> list[str]:
    """A Markdown table: one row per metric, one column per edition."""
    lines = ["| metric | " + " | ".join(r.name for r in results) + " |",
             "|---|" + "---|" * len(results)]
    for label, key, fmt in COLUMNS:
        lines.append(f"| {label} | " + " | ".join(fmt.format(r.summary.get(key, 0))
                                                  for r in results) + " |")
    return lines


def run_editions(settings: Settings, folders: list[Path], cases: list[dict], max_drop: str,
                 out: Path | None = None) -> int:
    """`pdbot eval --documents`: print the table (and write editions.md into `out`); 1 when an
    edition drops more than `max_drop` allows."""
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
