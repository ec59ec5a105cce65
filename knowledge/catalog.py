"""The document catalog: which files are sources, and their title, date and status."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from knowledge.records import DocumentInfo

CATALOG_NAME = "catalog.toml"
SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".odt", ".pdf", ".html", ".htm")
_DATE = re.compile(r"^\s*((?:January|February|March|April|May|June|July|August|September|"
                   r"October|November|December)\s+\d{4})\s*$", re.M)


def slug_for(path: Path) -> str:
    """A stable id from the file name, for documents the catalog does not list."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def safe_file_name(name: str) -> str:
    """A document file name safe to write anywhere: letters, digits, dot, dash, underscore."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).stem).strip(".-") or "document"
    return stem[:100] + Path(name).suffix.lower()


def read_catalog(folder: Path) -> dict[str, dict]:
    """The entries of the catalog in `folder`, keyed by file name (empty when there is none)."""
    path = folder / CATALOG_NAME
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def catalog_toml(entries: dict[str, dict]) -> str:
    """A catalog.toml holding `entries` (file name -> id, title, date, status, publisher)."""
    import json

    blocks = []
    for name, entry in entries.items():
        lines = [f"[{json.dumps(name)}]"]
        lines += [f"{key} = {json.dumps(str(entry[key]))}"
                  for key in ("id", "title", "publisher", "date", "status") if entry.get(key)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def describe(path: Path, text: str) -> DocumentInfo:
    """Metadata for a document: from the catalog beside it, else from its first heading and a date line."""
    entry = read_catalog(path.parent).get(path.name, {})
    title = entry.get("title") or _first_heading(text) or path.stem.replace("-", " ").title()
    date_match = _DATE.search(text)
    date = entry.get("date") or (date_match.group(1) if date_match else "")
    return DocumentInfo(doc_id=entry.get("id") or slug_for(path), path=str(path), title=title, date=date,
                        status=entry.get("status", ""), publisher=entry.get("publisher", ""))


def _first_heading(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip().strip("*").strip()
        if line and not re.fullmatch(r"\[page \d+\]", line):
            return line[:120]
    return ""


def find_documents(paths: list[Path]) -> list[Path]:
    """Expand files and folders into the supported document files, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.iterdir())
                         if p.suffix.lower() in SUPPORTED_SUFFIXES and p.is_file())
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:  # a file named twice (itself and its folder) is read once
        unique.setdefault(path.resolve(), path)
    return list(unique.values())
