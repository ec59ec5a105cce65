"""Classifiers learned from the domain data's examples: the intent and the kind of answer asked.

Each is a logistic regression over two feature sets, as Rasa's pipelines combine dense and
sparse features: the sentence embedding retrieval already computes for the question, and word
unigrams and bigrams of the question with job titles masked ("what comes after ROLE"), so one
example teaches the intent for every role. Training takes well under a second at start-up;
`cross_validate` gives the accuracy `pdbot eval` reports.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

DENSE_WEIGHT = 4.0  # the embedding's share against the word features (cross-validated)
REGULARISATION = 4.0  # sklearn's C: higher fits the examples more closely
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_NUMBER = re.compile(r"\b\d+\b")


def mask_numbers(text: str) -> str:
    """Years and numbers as YEAR and NUM: "stage 4" and "stage 7" read alike."""
    return _NUMBER.sub("NUM", _YEAR.sub("YEAR", text))


class Classifier:
    """Labels with probabilities for a (masked text, embedding) pair."""

    def __init__(self, labels: list[str], vectorizer, model):
        self.labels = labels
        self._vectorizer = vectorizer
        self._model = model
        # the fitted weights, split by feature set, to predict without sklearn's per-call checks
        weights = np.asarray(model.coef_, dtype=np.float64)
        words = len(vectorizer.vocabulary_)
        self._dense = weights[:, :-words].T * DENSE_WEIGHT if weights.shape[1] > words else None
        self._words = weights[:, -words:].T
        self._bias = np.asarray(model.intercept_, dtype=np.float64)

    @classmethod
    def train(cls, texts: list[str], vectors: np.ndarray | None, labels: list[str]) -> "Classifier":
        """Fit on masked example texts, their embeddings and their labels; with no vectors, on
        the words alone (a cheap screen that needs no embedding)."""
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression

        vectorizer = CountVectorizer(ngram_range=(1, 2), binary=True, lowercase=False,
                                     token_pattern=r"(?u)\b\w+\b")
        vectorizer.fit(texts)
        model = LogisticRegression(C=REGULARISATION, max_iter=3000, class_weight="balanced")
        model.fit(_features(vectorizer, texts, vectors), labels)
        return cls(list(model.classes_), vectorizer, model)

    def probabilities(self, texts: list[str], vectors: np.ndarray | None) -> list[dict[str, float]]:
        """For each (text, vector), every label's probability (vectors None for a screen): the
        multinomial model's softmax, computed from its weights."""
        scores = self._vectorizer.transform(texts) @ self._words + self._bias
        if self._dense is not None:
            scores = scores + np.asarray(vectors, dtype=np.float64).reshape(len(texts), -1) @ self._dense
        scores = np.asarray(scores)
        scores -= scores.max(axis=1, keepdims=True)
        rows = np.exp(scores)
        rows /= rows.sum(axis=1, keepdims=True)
        return [dict(zip(self.labels, map(float, row))) for row in rows]


def _features(vectorizer, texts: list[str], vectors: np.ndarray | None):
    from scipy.sparse import csr_matrix, hstack

    words = vectorizer.transform(texts)
    if vectors is None:
        return words.tocsr()
    dense = csr_matrix(np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1) * DENSE_WEIGHT)
    return hstack([dense, words]).tocsr()


@dataclass
class CrossValidation:
    """Held-out accuracy of a classifier over its own examples (k folds)."""

    accuracy: float
    examples: int
    folds: int
    recall: dict[str, tuple[float, int]] = field(default_factory=dict)  # label -> (recall, n)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)  # (true, predicted, n)


def cross_validate(texts: list[str], vectors: np.ndarray, labels: list[str], folds: int = 5,
                   seed: int = 0) -> CrossValidation:
    """Stratified k-fold accuracy, per-label recall and the most frequent confusions."""
    from sklearn.model_selection import StratifiedKFold

    folds = min(folds, min(Counter(labels).values()))
    predicted = [""] * len(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(texts, labels):
        model = Classifier.train([texts[i] for i in train], vectors[train],
                                 [labels[i] for i in train])
        for i, probs in zip(test, model.probabilities([texts[i] for i in test], vectors[test])):
            predicted[i] = max(probs, key=probs.get)
    right = Counter(t for t, p in zip(labels, predicted) if t == p)
    total = Counter(labels)
    wrong = Counter((t, p) for t, p in zip(labels, predicted) if t != p)
    return CrossValidation(
        accuracy=sum(right.values()) / len(labels), examples=len(labels), folds=folds,
        recall={label: (right[label] / n, n) for label, n in sorted(total.items())},
        confusions=[(t, p, n) for (t, p), n in wrong.most_common(10)])
