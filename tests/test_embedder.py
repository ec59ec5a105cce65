"""The embedding model on ONNX Runtime: the same vectors as sentence-transformers, exported once,
a damaged export rebuilt or reported in one line, and `pdbot ask` free of torch."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import knowledge.model_export as model_export
from ingest.pipeline import run_ingest
from knowledge.embedder import MODEL_NAME, Embedder, model_path
from knowledge.errors import EmbeddingModelError
from knowledge.settings import Settings
from tests.conftest import FRAMEWORK, STRATEGY

EVAL_SETS = [Path("evals/cases.jsonl"), Path("evals/blind/round-1.jsonl")]
MIN_COSINE = 0.999


def sentences_and_questions(limit: int = 400) -> list[str]:
    """The documents' sentences (and a few whole long paragraphs, past the 256-token limit)
    and the eval questions: a few hundred texts of every length the model is given."""
    texts = []
    for document in (STRATEGY, FRAMEWORK):
        paragraphs = [p for p in document.read_text().split("\n\n") if p.strip()]
        texts += sorted(paragraphs, key=len)[-5:]  # the longest, over 256 tokens
        texts += [s.strip() for p in paragraphs for s in p.split(". ") if len(s.strip()) > 20]
    for path in EVAL_SETS:
        texts += [json.loads(line)["question"] for line in path.read_text().splitlines()
                  if line.strip()]
    texts = list(dict.fromkeys(texts))
    step = max(1, len(texts) // limit)
    return texts[::step][:limit] + ["", "  padded  ", "HLTA → SENCo: what next? 🎓"]


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(embedder):
    from sentence_transformers import SentenceTransformer

    texts = sentences_and_questions()
    assert len(texts) >= 300
    reference = SentenceTransformer(str(model_path()), device="cpu", local_files_only=True)
    expected = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False)
    batched = embedder.embed(texts)
    one_by_one = np.array([embedder.embed_query(t) for t in texts[:50]])
    cosines = np.sum(batched * expected, axis=1)
    assert batched.dtype == np.float32 and batched.shape == expected.shape
    assert cosines.min() >= MIN_COSINE, f"lowest cosine {cosines.min():.6f}: {texts[cosines.argmin()]!r}"
    assert np.sum(one_by_one * expected[:50], axis=1).min() >= MIN_COSINE
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_pdbot_ask_imports_no_torch_chromadb_or_bm25s(built_settings, models_dir):
    code = ("import sys\nfrom assistant.cli import main\n"
            "code = main(['ask', 'What should an HLTA do next?'])\n"
            "heavy = ('torch', 'sentence_transformers', 'transformers', 'chromadb', 'bm25s')\n"
            "print('HEAVY', [m for m in heavy if m in sys.modules], code)\n")
    env = {**_env(built_settings.data_dir, models_dir)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            timeout=240)
    assert result.returncode == 0, result.stderr
    assert "[1] Professional Development Strategy" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "HEAVY [] 0"


@pytest.fixture
def copying_export(models_dir, embedder, monkeypatch):
    """`export` replaced by a copy of the session's real export (a real one takes seconds),
    counting its calls."""
    embedder.load()
    made = next(p for p in models_dir.iterdir() if p.name.startswith(MODEL_NAME))
    calls = []

    def copy_export(source, folder):
        calls.append(folder)
        for name in ("model.onnx", "tokenizer.json", "export.json"):
            shutil.copyfile(made / name, folder / name)
        return json.loads((made / "export.json").read_text())

    monkeypatch.setattr(model_export, "export", copy_export)
    return calls


def test_the_first_ingest_exports_the_model_and_the_second_does_not(tmp_path, documents_copy,
                                                                     copying_export):
    settings = Settings(data_dir=tmp_path / "data", documents_dir=documents_copy)
    run_ingest(settings)
    assert len(copying_export) == 1
    folder = _export_in(settings.models_folder())
    stamp = (folder / "model.onnx").stat().st_mtime_ns
    strategy = documents_copy / STRATEGY.name
    strategy.write_text(strategy.read_text().replace(". ", ". Indeed, ", 3))
    report = run_ingest(settings)  # a new embedder (as in a new process): loads, never exports
    assert report.embedded > 0 and len(copying_export) == 1
    assert (folder / "model.onnx").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("damage", ["truncated", "zeroed weights", "missing record"])
def test_a_damaged_export_is_exported_again(tmp_path, copying_export, embedder, damage):
    models = tmp_path / "models"
    Embedder(models).load()
    folder = _export_in(models)
    model = folder / "model.onnx"
    if damage == "truncated":
        model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    elif damage == "zeroed weights":  # still parses; the probe check notices
        data = bytearray(model.read_bytes())
        middle = len(data) // 2
        data[middle:middle + 4_000_000] = bytes(4_000_000)
        model.write_bytes(bytes(data))
    else:
        (folder / "export.json").write_text("{")
    again = Embedder(models)
    vector = again.embed_query("What should an HLTA do next?")
    assert len(copying_export) == 2  # once at first, once for the damage
    assert float(vector @ embedder.embed_query("What should an HLTA do next?")) > 0.9999


def test_an_export_that_stays_damaged_is_one_clear_error(tmp_path, copying_export, monkeypatch):
    models = tmp_path / "models"
    Embedder(models).load()
    monkeypatch.setattr(model_export, "export",
                        lambda source, folder: (folder / "model.onnx").write_bytes(b"garbage"))
    (_export_in(models) / "model.onnx").write_bytes(b"also garbage")
    with pytest.raises(EmbeddingModelError) as caught:
        Embedder(models).load()
    message = str(caught.value)
    assert "\n" not in message and "damaged" in message and "pdbot ingest" in message


def test_a_missing_source_model_is_one_clear_error(tmp_path):
    with pytest.raises(EmbeddingModelError) as caught:
        Embedder(tmp_path / "models", source=tmp_path / "no-model").embed(["x"])
    assert "\n" not in str(caught.value) and "make install" in str(caught.value)


def test_pdbot_ask_reports_an_unloadable_model_in_one_line(built_settings, tmp_path):
    models = tmp_path / "models"  # not writable: nothing can be exported there
    models.write_text("a file, not a folder")
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "What is an NPQ?"],
                            capture_output=True, text=True, timeout=120,
                            env=_env(built_settings.data_dir, models))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "PDBOT_MODELS_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def _export_in(models: Path) -> Path:
    return next(p for p in models.iterdir() if p.name.startswith(MODEL_NAME) and p.is_dir())


def _env(data_dir: Path, models: Path) -> dict:
    import os

    return {**os.environ, "PDBOT_DATA_DIR": str(data_dir), "PDBOT_MODELS_DIR": str(models)}


def test_the_export_lives_in_the_data_directory_unless_pdbot_models_dir_says():
    assert Settings.from_env({"PDBOT_DATA_DIR": "/srv/pd"}).models_folder() == Path("/srv/pd/models")
    shared = Settings.from_env({"PDBOT_DATA_DIR": "/srv/pd", "PDBOT_MODELS_DIR": "/srv/models"})
    assert shared.models_folder() == Path("/srv/models")
    assert Embedder.for_settings(shared).models_dir == Path("/srv/models")
