"""An index version on disk, and the pointer that says which version is live.

Layout under the data directory:
    CURRENT                  name of the live version (replaced atomically)
    indexes/<version>/       manifest.json, chunks.json, pathways.json, vectors.npy,
                             unit_vectors.npy, abbreviations.json, lexical/, chroma/
    ingest.lock              held while an ingest runs
A new version is written completely before CURRENT points at it, so a failed or killed ingest
leaves the previous version answering.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.errors import IndexMissingError
from knowledge.records import Chunk, Pathway

CURRENT = "CURRENT"


def indexes_dir(data_dir: Path) -> Path:
    return data_dir / "indexes"


def live_version_dir(data_dir: Path) -> Path | None:
    """The folder of the live index version, or None when there is none."""
    pointer = data_dir / CURRENT
    if not pointer.exists():
        return None
    folder = indexes_dir(data_dir) / pointer.read_text().strip()
    return folder if (folder / "manifest.json").exists() else None


def publish(data_dir: Path, version: str) -> None:
    """Make `version` live in one atomic rename."""
    tmp = data_dir / f"{CURRENT}.tmp"
    tmp.write_text(version)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, data_dir / CURRENT)


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


@dataclass
class IndexFiles:
    """The plain files of an index version (everything but the Chroma and BM25 stores)."""

    manifest: dict
    chunks: list[Chunk]
    pathways: list[Pathway]
    vectors: np.ndarray
    unit_vectors: np.ndarray
    embedding_keys: dict  # {"chunks": [...], "units": [...]}: hash of the text behind each vector
    abbreviations: dict = field(default_factory=dict)  # {"HLTA": "Higher Level Teaching Assistant"}

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "chunks.json").write_text(json.dumps([c.to_dict() for c in self.chunks]))
        (folder / "pathways.json").write_text(json.dumps([p.to_dict() for p in self.pathways]))
        np.save(folder / "vectors.npy", self.vectors)
        np.save(folder / "unit_vectors.npy", self.unit_vectors)
        (folder / "embedding_keys.json").write_text(json.dumps(self.embedding_keys))
        (folder / "abbreviations.json").write_text(json.dumps(self.abbreviations))
        # the manifest goes last: its presence marks a complete version
        (folder / "manifest.json").write_text(json.dumps(self.manifest, indent=1))

    @classmethod
    def read(cls, folder: Path) -> "IndexFiles":
        return cls(
            manifest=read_manifest(folder),
            chunks=[Chunk.from_dict(c) for c in json.loads((folder / "chunks.json").read_text())],
            pathways=[Pathway.from_dict(p)
                      for p in json.loads((folder / "pathways.json").read_text())],
            vectors=np.load(folder / "vectors.npy"),
            unit_vectors=np.load(folder / "unit_vectors.npy"),
            embedding_keys=json.loads((folder / "embedding_keys.json").read_text()),
            abbreviations=json.loads((folder / "abbreviations.json").read_text())
            if (folder / "abbreviations.json").exists() else {},
        )


def require_live(data_dir: Path) -> Path:
    """The live version folder, or IndexMissingError telling the user to run ingest."""
    folder = live_version_dir(data_dir)
    if folder is None:
        raise IndexMissingError(
            f"No index found in {data_dir}. Run `pdbot ingest` first "
            "(or set PDBOT_DATA_DIR to the folder that holds one).")
    return folder
