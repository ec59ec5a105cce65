"""Classifiers learned from the domain data's examples: the intent and the kind of answer asked.

Each is a logistic regression over two feature sets, as Rasa's pipelines combine dense and
sparse features: the sentence embedding retrieval already computes for the question, and word
unigrams and bigrams of the question with job titles masked ("what comes after ROLE"), so one
example teaches the intent for every role. `cross_validate` gives the accuracy `pdbot eval`
reports.

Training needs scikit-learn (a second to import, seconds to fit); predicting does not: a
trained classifier is its vocabulary and weights, kept in the data directory's cache keyed by
everything it was trained from (`load_or_train`), so an engine starts without scikit-learn.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

TOKEN = re.compile(r"(?u)\b\w+\b")  # scikit-learn's CountVectorizer token pattern, as configured
FEATURES_VERSION = "1"  # unigrams and bigrams of TOKEN, binary, case kept
CACHE_KEEP = 6  # classifier cache files kept (three classifiers, two data versions)
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_NUMBER = re.compile(r"\b\d+\b")


def mask_numbers(text: str) -> str:
    """Years and numbers as YEAR and NUM: "stage 4" and "stage 7" read alike."""
    return _NUMBER.sub("NUM", _YEAR.sub("YEAR", text))


class Classifier:
    """Labels with probabilities for a (masked text, embedding) pair: a vocabulary of unigrams
    and bigrams, a weight per word and label, weights for the embedding, and a bias."""

    def __init__(self, labels: list[str], vocabulary: list[str], words: np.ndarray,
                 dense: np.ndarray | None, bias: np.ndarray):
        self.labels = labels
        self._vocabulary = {w: i for i, w in enumerate(vocabulary)}
        self._words = words  # (vocabulary, labels)
        self._dense = dense  # (dimensions, labels), the dense weight folded in; None: words only
        self._bias = bias

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The classifier as plain arrays (for the cache: no pickle)."""
        words = sorted(self._vocabulary, key=self._vocabulary.get)
        out = {"labels": np.array(self.labels), "vocabulary": np.array(words, dtype=str),
               "words": self._words, "bias": self._bias}
        if self._dense is not None:
            out["dense"] = self._dense
        return out

    @classmethod
    def from_arrays(cls, arrays) -> "Classifier":
        return cls([str(x) for x in arrays["labels"]], [str(x) for x in arrays["vocabulary"]],
                   arrays["words"], arrays["dense"] if "dense" in arrays else None,
                   arrays["bias"])

    @classmethod
    def train(cls, texts: list[str], vectors: np.ndarray | None, labels: list[str],
              dense_weight: float, regularisation: float) -> "Classifier":
        """Fit on masked example texts, their embeddings (weighted `dense_weight` against the
        word features) and their labels, with sklearn's C = `regularisation`; with no vectors,
        on the words alone (a cheap screen that needs no embedding)."""
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression

        vectorizer = CountVectorizer(ngram_range=(1, 2), binary=True, lowercase=False,
                                     token_pattern=TOKEN.pattern)
        vectorizer.fit(texts)
        model = LogisticRegression(C=regularisation, max_iter=3000, class_weight="balanced")
        model.fit(_features(vectorizer, texts, vectors, dense_weight), labels)
        weights = np.asarray(model.coef_, dtype=np.float64)
        words = len(vectorizer.vocabulary_)
        vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        dense = weights[:, :-words].T * dense_weight if weights.shape[1] > words else None
        return cls(list(model.classes_), vocabulary, weights[:, -words:].T, dense,
                   np.asarray(model.intercept_, dtype=np.float64))

    def _word_scores(self, text: str) -> np.ndarray:
        """The summed weights of the text's unigrams and bigrams (each counted once)."""
        tokens = TOKEN.findall(text)
        grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        columns = sorted({self._vocabulary[g] for g in grams if g in self._vocabulary})
        return self._words[columns].sum(axis=0) if columns else np.zeros(len(self.labels))

    def probabilities(self, texts: list[str], vectors: np.ndarray | None) -> list[dict[str, float]]:
        """For each (text, vector), every label's probability (vectors None for a screen): the
        multinomial model's softmax, computed from its weights."""
        scores = np.array([self._word_scores(t) for t in texts]).reshape(len(texts), -1) + self._bias
        if self._dense is not None:
            scores = scores + np.asarray(vectors, dtype=np.float64).reshape(len(texts), -1) @ self._dense
        scores = np.asarray(scores)
        scores -= scores.max(axis=1, keepdims=True)
        rows = np.exp(scores)
        rows /= rows.sum(axis=1, keepdims=True)
        return [dict(zip(self.labels, map(float, row))) for row in rows]


def load_or_train(cache: Path, texts: list[str], vectors: np.ndarray | None, labels: list[str],
                  dense_weight: float, regularisation: float) -> Classifier:
    """The classifier trained on exactly these examples and settings, from the cache folder
    when it was trained before, else trained now (scikit-learn) and cached."""
    key = _cache_key(texts, vectors, labels, dense_weight, regularisation)
    path = cache / f"classifier-{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return Classifier.from_arrays(arrays)
    except (OSError, ValueError, KeyError, EOFError):
        pass  # not cached yet, or a damaged file: train again
    model = Classifier.train(texts, vectors, labels, dense_weight, regularisation)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / f".{path.name}.{os.getpid()}.tmp"
        with tmp.open("wb") as fh:
            np.savez(fh, **model.to_arrays())
        os.replace(tmp, path)
        for old in sorted(cache.glob("classifier-*.npz"), key=lambda p: p.stat().st_mtime)[:-CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only data directory: train again at the next start
    return model


def _cache_key(texts: list[str], vectors: np.ndarray | None, labels: list[str],
               dense_weight: float, regularisation: float) -> str:
    from importlib.metadata import version

    digest = hashlib.sha256()
    for part in ("\n".join(texts), "\n".join(labels), repr((dense_weight, regularisation)),
                 FEATURES_VERSION, version("scikit-learn")):
        digest.update(part.encode())
        digest.update(b"\0")
    if vectors is not None:
        digest.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return digest.hexdigest()[:16]


def _features(vectorizer, texts: list[str], vectors: np.ndarray | None, dense_weight: float):
    from scipy.sparse import csr_matrix, hstack

    words = vectorizer.transform(texts)
    if vectors is None:
        return words.tocsr()
    dense = csr_matrix(np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1) * dense_weight)
    return hstack([dense, words]).tocsr()


@dataclass
class CrossValidation:
    """Held-out accuracy of a classifier over its own examples (k folds)."""

    accuracy: float
    examples: int
    folds: int
    recall: dict[str, tuple[float, int]] = field(default_factory=dict)  # label -> (recall, n)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)  # (true, predicted, n)


def cross_validate(texts: list[str], vectors: np.ndarray, labels: list[str], dense_weight: float,
                   regularisation: float, folds: int = 5, seed: int = 0) -> CrossValidation:
    """Stratified k-fold accuracy, per-label recall and the most frequent confusions."""
    from sklearn.model_selection import StratifiedKFold

    folds = min(folds, min(Counter(labels).values()))
    predicted = [""] * len(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(texts, labels):
        model = Classifier.train([texts[i] for i in train], vectors[train],
                                 [labels[i] for i in train], dense_weight, regularisation)
        for i, probs in zip(test, model.probabilities([texts[i] for i in test], vectors[test])):
            predicted[i] = max(probs, key=probs.get)
    right = Counter(t for t, p in zip(labels, predicted) if t == p)
    total = Counter(labels)
    wrong = Counter((t, p) for t, p in zip(labels, predicted) if t != p)
    return CrossValidation(
        accuracy=sum(right.values()) / len(labels), examples=len(labels), folds=folds,
        recall={label: (right[label] / n, n) for label, n in sorted(total.items())},
        confusions=[(t, p, n) for (t, p), n in wrong.most_common(10)])
