"""The intent classifiers: trained with scikit-learn, predicting without it, cached by what they
were trained from."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from assistant.answer.intents import Classifier, load_or_train, mask_numbers
from knowledge.domain import load_domain


def _examples():
    domain = load_domain()
    pairs = domain.examples("intents")
    return [mask_numbers(t.lower()) for t, _ in pairs], [label for _, label in pairs]


def test_predicting_reads_words_exactly_as_scikit_learn_does():
    from sklearn.feature_extraction.text import CountVectorizer

    from evals.runner import DEFAULT_CASES, load_cases

    texts, labels = _examples()
    model = Classifier.train(texts, None, labels, 4.0, 4.0)
    vectorizer = CountVectorizer(ngram_range=(1, 2), binary=True, lowercase=False,
                                 token_pattern=r"(?u)\b\w+\b").fit(texts)
    unseen = [mask_numbers(c["question"].lower()) for c in load_cases(DEFAULT_CASES)]
    expected = vectorizer.transform(unseen) @ model._words[
        [model._vocabulary[w] for w in sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)]]
    ours = np.array([model._word_scores(t) for t in unseen])
    assert np.allclose(ours, np.asarray(expected))


def test_a_cached_classifier_answers_as_the_trained_one_and_is_keyed_by_its_data(tmp_path):
    texts, labels = _examples()
    vectors = np.random.default_rng(0).random((len(texts), 8)).astype(np.float32)
    first = load_or_train(tmp_path, texts, vectors, labels, 4.0, 4.0)
    assert len(list(tmp_path.glob("classifier-*.npz"))) == 1
    again = load_or_train(tmp_path, texts, vectors, labels, 4.0, 4.0)
    probe = ["what comes after ROLE", "what is my salary"]
    assert again.probabilities(probe, vectors[:2]) == first.probabilities(probe, vectors[:2])
    load_or_train(tmp_path, texts, vectors, labels, 4.0, 2.0)  # other settings: another file
    assert len(list(tmp_path.glob("classifier-*.npz"))) == 2
    for path in tmp_path.glob("classifier-*.npz"):
        path.write_bytes(b"damaged")
    rebuilt = load_or_train(tmp_path, texts, vectors, labels, 4.0, 4.0)
    assert rebuilt.probabilities(probe, vectors[:2]) == first.probabilities(probe, vectors[:2])


def test_answering_from_a_built_index_imports_no_scikit_learn(built_settings):
    """Once ingest has cached the classifiers, `pdbot ask` starts without scikit-learn."""
    from assistant.answer.engine import Engine

    Engine.from_settings(built_settings)  # fills the classifier cache if ingest did not
    code = ("import sys, json; from assistant.cli import main; main(['--data-dir', sys.argv[1], "
            "'ask', 'What should an HLTA do next?']); "
            "print(json.dumps([m for m in ('sklearn', 'scipy', 'torch', 'lightgbm') "
            "if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code, str(built_settings.data_dir)],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []
