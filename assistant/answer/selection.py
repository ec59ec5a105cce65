"""The learned unit selector: which sentences, list items and table fields of the best sections
answer the question, so that a quotation holds what was asked (the "how often", the names in a
list, the column asked for) rather than a section's opening lines.

Trained with the section ranker from the question bank (a unit is relevant when it holds one of
a case's fact phrases), on features any unit of any document has, and shipped as LightGBM's
JSON dump, evaluated without LightGBM (ranking.TreeModel). Its probability is added to each
unit's relevance before the composer picks units.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assistant.answer.compose import SectionView, lexical_overlap, term_keys
from assistant.answer.query import Query
from assistant.answer.ranking import TreeModel
from knowledge.tokens import terms

SELECTOR_FILE = "unit_selector.json"  # beside the section ranker
UNIT_FEATURES = (
    "dense", "dense_gap_section", "dense_gap_all", "dense_rank_section", "lexical",
    "lexical_gap_section", "asking_lexical", "title_lexical", "type_match", "is_sentence",
    "is_item", "is_field", "position", "is_first", "list_size", "list_x_list_intent",
    "label_asked", "label_lexical", "section_rank", "section_gap", "section_child", "length",
    "previous_quoted", "labelled_statement", "follow_up",
)


class UnitSelector(TreeModel):
    """LightGBM (binary) over UNIT_FEATURES: the probability that a unit holds what is asked."""

    expected = UNIT_FEATURES

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        if not len(matrix):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-self.scores(matrix)))


@dataclass(frozen=True)
class UnitQuestion:
    """What the unit features read of a question, beside its Query."""

    query_terms: dict[str, float]
    asking_terms: dict[str, float]
    type_patterns: tuple
    asked_columns: frozenset[str]
    previous_answer: str
    list_intent: float


def unit_matrix(query: Query, asked: UnitQuestion, views: list[SectionView],
                section_scores: list[float], children: list[bool]
                ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """One row of UNIT_FEATURES per unit of the candidate sections (best first), and the
    (section position, unit index) of each row."""
    rows, where = [], []
    dense_all = [v.vectors @ query.vector if len(v.units) else np.zeros(0) for v in views]
    best_all = max((float(d.max()) for d in dense_all if len(d)), default=0.0)
    top_score = section_scores[0] if section_scores else 0.0
    previous = " ".join(asked.previous_answer.lower().split())
    for k, (view, dense) in enumerate(zip(views, dense_all)):
        if not len(view.units):
            continue
        lexical = np.array([lexical_overlap(asked.query_terms, keys) for keys in view.unit_keys])
        asking = np.array([lexical_overlap(asked.asking_terms, keys) for keys in view.unit_keys]) \
            if asked.asking_terms else lexical
        title = term_keys(set(terms(view.title)))
        order = np.argsort(-dense, kind="stable")
        rank = np.empty(len(dense))
        rank[order] = np.arange(len(dense))
        lists: dict[str, int] = {}
        for unit in view.units:
            if unit.kind == "item":
                lists[unit.label] = lists.get(unit.label, 0) + 1
        last = max(1, len(view.units) - 1)
        for i, unit in enumerate(view.units):
            size = lists.get(unit.label, 0) if unit.kind == "item" else 0
            label_terms = term_keys(set(terms(unit.label))) if unit.label else set()
            typed = any(p.search(unit.text) for p in asked.type_patterns)
            rows.append([
                float(dense[i]), float(dense[i] - dense.max()), float(dense[i] - best_all),
                1.0 / (1.0 + rank[i]), float(lexical[i]), float(lexical[i] - lexical.max()),
                float(asking[i]), lexical_overlap(asked.query_terms, set(view.unit_keys[i]) & title),
                float(typed) * query.type_confidence,
                float(unit.kind == "sentence"), float(unit.kind == "item"),
                float(unit.kind == "field"), i / last, float(i == 0),
                math.log1p(size), math.log1p(size) * asked.list_intent,
                float(unit.kind == "field" and unit.label.lower() in asked.asked_columns),
                lexical_overlap(asked.query_terms, label_terms) if label_terms else 0.0,
                float(k), float(section_scores[k] - top_score), float(children[k]),
                math.log1p(len(unit.text)) / 6,
                float(bool(previous) and " ".join(unit.text.lower().split())[:60] in previous),
                float(":" in unit.text[:30]), float(query.follow_up),
            ])
            where.append((k, i))
    matrix = np.array(rows, dtype=np.float64) if rows else np.zeros((0, len(UNIT_FEATURES)))
    return matrix, where
