"""The learned section ranker: LightGBM's own trees evaluated without LightGBM, the shipped model
matching the features the code computes, and held and mentioned roles told apart."""
from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.answer.ranking import FEATURES, SectionRanker
from knowledge.errors import ConfigError
from knowledge.settings import default_ranker_path


def test_the_tree_evaluator_scores_exactly_as_lightgbm_does():
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(3)
    matrix = rng.random((1200, len(FEATURES)))
    labels = (matrix[:, 0] + matrix[:, 3] * matrix[:, 5] > 0.9).astype(int)
    booster = lightgbm.train({"objective": "lambdarank", "verbose": -1, "num_leaves": 7,
                              "min_data_in_leaf": 5},
                             lightgbm.Dataset(matrix, labels, group=[24] * 50),
                             num_boost_round=60)
    ranker = SectionRanker(booster.dump_model())
    unseen = rng.random((300, len(FEATURES)))
    assert np.allclose(ranker.scores(unseen), booster.predict(unseen), atol=1e-9)


def test_the_shipped_ranker_matches_the_features_and_says_how_it_was_trained():
    ranker = SectionRanker.load(default_ranker_path())
    assert ranker.features == FEATURES
    validation = ranker.meta["cross_validated_by_writer"]
    assert validation["queries"] > 500 and len(validation["writers"]) >= 10
    assert not any("round-4-test" in name for name in ranker.meta["training_sets"])


def test_a_ranker_for_other_features_is_refused_with_one_line(tmp_path):
    path = tmp_path / "ranker.json"
    data = json.loads(default_ranker_path().read_text())
    data["model"]["feature_names"] = ["something_else"] * len(FEATURES)
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="train-ranker"):
        SectionRanker.load(path)
    path.write_text("{}")
    with pytest.raises(ConfigError, match="not a trained model"):
        SectionRanker.load(path)


@pytest.mark.parametrize("question, held, mentioned, wanted", [
    ("I'm an accomplished teacher and I also mentor an ECT. What do I need to show before I go "
     "for subject leader?", "Accomplished Teacher", "Early Career Teacher", "Subject Leader"),
    ("new SENDCo here, what does the 2023 table offer me?", "SENDCO", "", ""),
    ("our head said an excellence adviser is coming next week, what are the visits for?", "",
     "Headteacher", ""),
])
def test_the_role_the_asker_holds_is_told_apart_from_roles_mentioned(engine, question, held,
                                                                     mentioned, wanted):
    _, (query,) = engine.understand(question)
    titles = lambda matches: " | ".join(m.stage.title for m in matches)  # noqa: E731
    assert (held in titles(query.held_stages)) if held else not query.held_stages
    assert mentioned in titles(query.mentioned_stages)
    assert (wanted in titles(query.become_targets)) if wanted else True
    if held:
        assert held not in titles(query.mentioned_stages)
