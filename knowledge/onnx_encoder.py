"""One batch of texts through the exported model on ONNX Runtime, as sentence-transformers runs it:
`tokenizers` (truncated to the model's max_seq_length, padded to the longest text), the
transformer, mean pooling over the attention mask, L2 normalisation. Imports no torch."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

EXPORT_RECORD = "export.json"  # written last by the export: its presence marks a complete one


class DamagedExport(ValueError):
    """An exported model folder that cannot be read or gives wrong vectors."""


class OnnxEncoder:
    """The tokenizer and the ONNX Runtime session of one exported model folder."""

    def __init__(self, folder: Path, threads: int = 0):
        try:
            self.record = json.loads((folder / EXPORT_RECORD).read_text())
            self._tokenizer = _tokenizer(folder / "tokenizer.json", self.record["max_tokens"])
            self._session = _session(folder / "model.onnx", threads)
        except Exception as exc:  # missing, truncated or garbled files: ORT and tokenizers raise their own
            raise DamagedExport(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from exc
        self._inputs = [i.name for i in self._session.get_inputs()]
        self.folder = folder

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 embeddings of one batch of texts."""
        encodings = self._tokenizer.encode_batch(texts)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                 "attention_mask": mask,
                 "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
        tokens = self._session.run(None, {name: feeds[name] for name in self._inputs})[0]
        return normalise(mean_pool(tokens, mask))

    def check(self, min_similarity: float) -> "OnnxEncoder":
        """Self, once the probe text recorded at export embeds as it did then (a damaged weight
        file loads but answers wrongly); DamagedExport otherwise."""
        probe = self.record.get("probe") or {}
        try:
            expected = np.asarray(probe["vector"], dtype=np.float32)
            similarity = float(self.encode([probe["text"]])[0] @ expected)
        except Exception as exc:
            raise DamagedExport(f"probe failed: {type(exc).__name__}: {exc}") from exc
        if not similarity >= min_similarity:
            raise DamagedExport(f"probe similarity {similarity:.4f}")
        return self


def mean_pool(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling: the masked tokens' sum over the mask's sum
    (clamped at 1e-9)."""
    weights = mask[..., None].astype(tokens.dtype)
    return (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """torch.nn.functional.normalize(p=2): each row over max(its norm, 1e-12)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _tokenizer(path: Path, max_tokens: int):
    """The model's fast tokenizer, truncating and padding as sentence-transformers asks it to
    (tokenizer.json itself says 128 tokens, padded to 128; the model reads up to max_tokens)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    padding = tokenizer.padding or {}
    tokenizer.enable_truncation(max_length=max_tokens, strategy="longest_first")
    tokenizer.enable_padding(pad_id=padding.get("pad_id", 0),
                             pad_type_id=padding.get("pad_type_id", 0),
                             pad_token=padding.get("pad_token", "[PAD]"))
    return tokenizer


def _session(path: Path, threads: int):
    import onnxruntime as ort

    if not path.is_file():
        raise FileNotFoundError(f"no {path.name}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads  # 0: ONNX Runtime's default, one per core
    # idle threads sleep instead of spinning: on a busy 2-core server spinning doubled the CPU
    # a question costs and slowed it (p50 28 ms against 21 ms), for no gain when it is idle
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
