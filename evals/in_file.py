"""Which eval cases an edition's files can answer at all.

A tool can drop text while saving a file (pandoc writes the 2023 career table's raw-HTML cells
empty), and then no parser can get it back. A case is *not in the files* when one of its fact
groups has none of its phrases anywhere in the text the loaders read from the edition's
documents (normalised as the scorer normalises answers, with the loaders' own markup -- bold
marks, table bars, heading marks, page markers -- taken out, so a phrase is never missed for
them). `pdbot eval --documents` reports those cases per edition and holds an edition to the
text edition on the other cases only, so an edition is neither failed for what its files lack
nor excused for what its parser loses.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from evals.metrics import normalise

# What the loaders add around the words (ingest/formats/markdown.py): never part of a fact.
_MARKUP = re.compile(r"^\[page \d+\]$|^#+\s|^\s*[-*]\s|\|", re.MULTILINE)
_EMPHASIS = re.compile(r"\*+")  # bold and italic marks, inside or around words


def file_text(texts: Iterable[str]) -> str:
    """The loaders' texts of an edition's documents as one searchable text: markup out,
    normalised."""
    return normalise(_EMPHASIS.sub("", _MARKUP.sub(" ", "\n".join(texts))))


def edition_text(folder: Path) -> str:
    """`file_text` of every document in the folder, read again (raises IngestError)."""
    from ingest.loaders import read_document
    from knowledge.catalog import find_documents

    return file_text(read_document(path).text for path in find_documents([folder]))


def cases_not_in_text(cases: list[dict], text: str) -> list[str]:
    """Ids of the in-scope cases with a fact group none of whose phrases is in `text` (a
    `file_text`), in the cases' order."""
    return [case["id"] for case in cases if case.get("in_scope", True) and any(
        not any(normalise(phrase) in text for phrase in group) for group in case["facts"])]


def cases_not_in_files(cases: list[dict], folder: Path) -> list[str]:
    """Ids of the in-scope cases whose facts are not all in the folder's documents."""
    return cases_not_in_text(cases, edition_text(folder))
