"""The learned section ranker: features any section of any document has, and a linear model over
them, trained from the question bank (`pdbot train-ranker`) and shipped as data.

Each (question, section) pair is described by similarities and overlaps (dense, BM25, headings,
phrases, glossary terms), by what the question names (stages, documents, the kind of value it
asks for) and by the conversation before it. The features never name a section, so the model
keeps working on documents it has not seen. Scores are probabilities that the section answers.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer.compose import SectionView, term_keys
from assistant.answer.config import RetrievalConfig
from assistant.answer.query import Query, Turn
from assistant.answer.retrieve import phrases
from knowledge.errors import ConfigError
from knowledge.tokens import terms

FEATURES = (
    "dense_chunk", "dense_unit", "dense_unit_top3", "dense_chunk_gap", "dense_unit_gap",
    "dense_unit_rank", "bm25_text", "bm25_title", "bm25_rank", "title_overlap", "path_overlap",
    "text_overlap", "phrase", "asking_title_overlap", "asking_text_overlap",
    "doc_current", "doc_named", "doc_other_named",
    "stage_named", "stage_held", "stage_target", "stage_next_of_held", "is_stage",
    "stage_x_detail", "next_x_intent", "target_x_become",
    "list_section", "list_x_list_intent", "table_row", "table_x_table_intent",
    "type_evidence", "aspect_columns", "follow_up", "previous_overlap", "previous_x_follow_up",
    "previous_question_overlap", "length", "depth", "has_children", "excluded_overlap",
)


@dataclass(frozen=True)
class RankingContext:
    """What a question's ranking needs beyond the Query: the earlier turns, the sentence that
    asks (without the statements around it), and which stages the asker holds, targets, and
    would move to next."""

    history: tuple[Turn, ...] = ()
    asking: str = ""
    held_sections: frozenset[str] = frozenset()
    target_sections: frozenset[str] = frozenset()
    next_sections: frozenset[str] = frozenset()
    named_sections: frozenset[str] = frozenset()
    type_patterns: tuple = ()


class SectionFeatures:
    """Per-index data for computing features fast: each section's terms, units, vectors,
    chunks, and BM25 over its chunks."""

    def __init__(self, sections: dict[str, SectionView], chunk_sections: list[str],
                 chunk_vectors: np.ndarray, lexical, titles, idf: dict[str, float],
                 current_documents: set[str], stage_sections: set[str],
                 config: RetrievalConfig):
        self.config = config
        self.ids = list(sections)
        self.views = [sections[s] for s in self.ids]
        self.position = {sid: i for i, sid in enumerate(self.ids)}
        self.chunk_section = np.array([self.position.get(s, -1) for s in chunk_sections])
        self.chunk_vectors = chunk_vectors
        self.lexical = lexical
        self.titles = titles
        self.idf = idf
        self.doc = [sid.split("/", 1)[0] for sid in self.ids]
        self.current = np.array([d in current_documents for d in self.doc], dtype=np.float32)
        self.title_keys = [term_keys(set(terms(v.title))) for v in self.views]
        self.path_keys = [term_keys(set(terms(" ".join(v.path)))) for v in self.views]
        self.text_keys = [set().union(*v.unit_keys) if v.unit_keys else set() for v in self.views]
        self.titles_index = _KeyIndex(self.title_keys)
        self.paths_index = _KeyIndex(self.path_keys)
        self.texts_index = _KeyIndex(self.text_keys)
        self.texts_paths_index = _KeyIndex([k | pk for k, pk in zip(self.text_keys,
                                                                   self.path_keys)])
        self.phrase_sets = [phrases(" ".join([*v.path, *(u.text for u in v.units)]),
                                     config.max_phrase) for v in self.views]
        self.is_stage = np.array([sid in stage_sections or any(
            sid.startswith(s + "/") for s in stage_sections) for sid in self.ids], dtype=np.float32)
        items = [sum(1 for u in v.units if u.kind == "item") for v in self.views]
        self.list_section = np.array([n >= config.list_items for n in items], dtype=np.float32)
        self.table_row = np.array([bool(v.units) and all(u.kind == "field" for u in v.units)
                                   for v in self.views], dtype=np.float32)
        self.length = np.array([math.log1p(sum(len(u.text) for u in v.units)) / 8
                                for v in self.views], dtype=np.float32)
        self.depth = np.array([len(v.path) / 4 for v in self.views], dtype=np.float32)
        self.has_children = np.array([any(o.startswith(sid + "/") for o in self.ids)
                                      for sid in self.ids], dtype=np.float32)

        counts = [len(v.units) for v in self.views]
        starts = np.cumsum([0] + counts)
        # each section's units as a row of unit indices, padded with -1 (top-3 similarity)
        self.unit_rows = np.full((len(counts), max(counts, default=0)), -1, dtype=np.int64)
        for k, (start, count) in enumerate(zip(starts, counts)):
            self.unit_rows[k, :count] = np.arange(start, start + count)
        self.unit_counts = np.array(counts)
        self._type_cache: dict[tuple, np.ndarray] = {}  # per answer type's patterns
        self.unit_owner = np.concatenate([[k] * len(v.units) for k, v in enumerate(self.views)]
                                         ).astype(int) if self.views else np.zeros(0, dtype=int)
        self.unit_vectors = np.vstack([v.vectors for v in self.views if len(v.units)]) \
            if any(len(v.units) for v in self.views) else np.zeros((0, 1), dtype=np.float32)
        self.unit_texts = [u.text for v in self.views for u in v.units]
        self.unit_fields = [(u.kind, u.label.lower()) for v in self.views for u in v.units]

    def query_terms(self, text: str) -> dict[str, float]:
        return {t: self.idf.get(t, self.config.max_idf) for t in terms(text)}

    def matrix(self, query: Query, context: RankingContext, aspect_columns: set[str],
               probabilities: dict[str, float]) -> np.ndarray:
        """One row of FEATURES per section, in self.ids order."""
        n = len(self.ids)
        cols: dict[str, np.ndarray] = {}
        vector = query.vector
        chunk_sim = self.chunk_vectors @ vector if len(self.chunk_vectors) else np.zeros(0)
        dense_chunk = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(dense_chunk, self.chunk_section[self.chunk_section >= 0],
                      chunk_sim[self.chunk_section >= 0])
        unit_sim = self.unit_vectors @ vector if len(self.unit_vectors) else np.zeros(0)
        dense_unit = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(dense_unit, self.unit_owner, unit_sim)
        padded = np.where(self.unit_rows >= 0, unit_sim[self.unit_rows] if len(unit_sim) else 0.0,
                          -np.inf)
        best = np.sort(padded, axis=1)[:, -3:] if padded.shape[1] else np.zeros((n, 0))
        top3 = np.where(self.unit_counts > 0, np.where(np.isfinite(best), best, 0.0).sum(axis=1)
                        / np.maximum(np.minimum(self.unit_counts, 3), 1), -1.0)
        cols["dense_chunk"] = dense_chunk
        cols["dense_unit"] = dense_unit
        cols["dense_unit_top3"] = top3
        cols["dense_chunk_gap"] = dense_chunk - dense_chunk.max()
        cols["dense_unit_gap"] = dense_unit - dense_unit.max()
        cols["dense_unit_rank"] = 1.0 / (1.0 + _ranks(dense_unit))
        lexical_terms = [t for t in terms(query.lexical_text)]
        bm25 = _per_section(self.lexical.scores(lexical_terms), self.chunk_section, n)
        title = _per_section(self.titles.scores(lexical_terms), self.chunk_section, n)
        cols["bm25_text"] = bm25 / bm25.max() if bm25.max() > 0 else bm25
        cols["bm25_title"] = title / title.max() if title.max() > 0 else title
        cols["bm25_rank"] = np.where(bm25 > 0, 1.0 / (1.0 + _ranks(bm25)), 0.0)
        qterms = self.query_terms(f"{query.search_text} {query.corrected}")
        cols["title_overlap"] = self.titles_index.overlap(qterms)
        cols["path_overlap"] = self.paths_index.overlap(qterms)
        cols["text_overlap"] = self.texts_index.overlap(qterms)
        longest = self.config.max_phrase
        wanted = phrases(query.corrected, longest)
        cols["phrase"] = np.array([min(longest, max((len(p) for p in wanted & have), default=0))
                                   / longest for have in self.phrase_sets])
        asking = self.query_terms(context.asking) if context.asking else qterms
        cols["asking_title_overlap"] = self.paths_index.overlap(asking)
        cols["asking_text_overlap"] = self.texts_index.overlap(asking)
        cols["doc_current"] = self.current
        named = query.documents
        cols["doc_named"] = np.array([d in named for d in self.doc], dtype=np.float32)
        cols["doc_other_named"] = np.array([bool(named) and d not in named for d in self.doc],
                                           dtype=np.float32)
        cols["stage_named"] = self._member(context.named_sections)
        cols["stage_held"] = self._member(context.held_sections)
        cols["stage_target"] = self._member(context.target_sections)
        cols["stage_next_of_held"] = self._member(context.next_sections)
        cols["is_stage"] = self.is_stage
        p = probabilities
        cols["stage_x_detail"] = cols["stage_named"] * (p.get("stage_detail", 0) + p.get("which_stage", 0))
        cols["next_x_intent"] = cols["stage_next_of_held"] * p.get("next_step", 0)
        cols["target_x_become"] = cols["stage_target"] * p.get("become", 0)
        cols["list_section"] = self.list_section
        cols["list_x_list_intent"] = self.list_section * p.get("list", 0)
        cols["table_row"] = self.table_row
        cols["table_x_table_intent"] = self.table_row * (p.get("stage_detail", 0) + p.get("which_stage", 0))
        cols["type_evidence"] = self._type_evidence(context.type_patterns) * query.type_confidence
        cols["aspect_columns"] = self._aspect_columns(aspect_columns)
        follow = float(query.follow_up)
        cols["follow_up"] = np.full(n, follow, dtype=np.float32)
        previous_answer, previous_question = _previous(context.history)
        prev = self.query_terms(previous_answer) if previous_answer else {}
        cols["previous_overlap"] = self.texts_index.overlap(prev)
        cols["previous_x_follow_up"] = cols["previous_overlap"] * follow
        prevq = self.query_terms(previous_question) if previous_question else {}
        cols["previous_question_overlap"] = self.texts_paths_index.overlap(prevq)
        excluded = self.query_terms(query.excluded) if query.excluded else {}
        cols["excluded_overlap"] = self.paths_index.overlap(excluded)
        cols["length"] = self.length
        cols["depth"] = self.depth
        cols["has_children"] = self.has_children
        return np.column_stack([np.asarray(cols[f], dtype=np.float32) for f in FEATURES])

    def _member(self, section_ids: frozenset[str]) -> np.ndarray:
        return np.array([sid in section_ids or any(sid.startswith(s + "/") for s in section_ids)
                         for sid in self.ids], dtype=np.float32)

    def _type_evidence(self, patterns: tuple) -> np.ndarray:
        """1 for the sections with a unit matching one of the answer type's patterns (cached:
        an answer type's patterns are the same for every question)."""
        if patterns not in self._type_cache:
            self._type_cache[patterns] = self._type_matches(patterns)
        return self._type_cache[patterns]

    def _type_matches(self, patterns: tuple) -> np.ndarray:
        out = np.zeros(len(self.ids), dtype=np.float32)
        if not patterns:
            return out
        for text, owner in zip(self.unit_texts, self.unit_owner):
            if not out[owner] and any(p.search(text) for p in patterns):
                out[owner] = 1.0
        return out

    def _aspect_columns(self, columns: set[str]) -> np.ndarray:
        out = np.zeros(len(self.ids), dtype=np.float32)
        if not columns:
            return out
        for (kind, label), owner in zip(self.unit_fields, self.unit_owner):
            if kind == "field" and label in columns:
                out[owner] = 1.0
        return out


class _KeyIndex:
    """Which sections hold each term key: `overlap` is `lexical_overlap` for every section at
    once (the IDF-weighted share of the query's terms a section holds)."""

    def __init__(self, key_sets: list[set[str]]):
        self.size = len(key_sets)
        holders: dict[str, list[int]] = {}
        for k, keys in enumerate(key_sets):
            for key in keys:
                holders.setdefault(key, []).append(k)
        self.holders = {key: np.array(ks) for key, ks in holders.items()}

    def overlap(self, query_terms: dict[str, float]) -> np.ndarray:
        out = np.zeros(self.size)
        total = sum(query_terms.values())
        if not total:
            return out
        for term, weight in query_terms.items():
            held = self.holders.get(term)
            if held is not None:
                out[held] += weight
        return out / total


class TreeModel:
    """A LightGBM model from its own JSON dump (`Booster.dump_model()`), evaluated with numpy:
    all trees at once, one step per level, so answering needs neither LightGBM nor scikit-learn
    (whose import costs a second). A test checks the scores against `Booster.predict`.
    `scores` are the raw sums of the trees (`predict(raw_score=True)`)."""

    expected: tuple[str, ...] = ()  # the feature names a subclass must be trained on

    def __init__(self, model: dict, meta: dict | None = None):
        self.features = tuple(model["feature_names"])
        self.meta = meta or {}
        trees = [t["tree_structure"] for t in model["tree_info"]]
        nodes = [_flatten(t) for t in trees]
        # every node of every tree in one flat array; a leaf points to itself (threshold +inf),
        # so a row that reached its leaf stays there while the deeper trees go on
        offsets = np.cumsum([0] + [len(n) for n in nodes])
        size = int(offsets[-1])
        self._roots = offsets[:-1].astype(np.int64)
        self._feature = np.zeros(size, dtype=np.int64)
        self._threshold = np.full(size, np.inf)
        self._left = np.arange(size, dtype=np.int64)
        self._right = np.arange(size, dtype=np.int64)
        self._value = np.zeros(size, dtype=np.float64)
        for offset, flat in zip(offsets, nodes):
            for i, node in enumerate(flat):
                at = offset + i
                if "leaf_value" in node:
                    self._value[at] = node["leaf_value"]
                    continue
                if node.get("decision_type", "<=") != "<=":
                    raise ValueError(f"unsupported split {node.get('decision_type')!r}")
                self._feature[at] = node["split_feature"]
                self._threshold[at] = node["threshold"]
                self._left[at] = offset + node["left"]
                self._right[at] = offset + node["right"]
        self._depth = max(_depth(t) for t in trees) if trees else 0

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """The model's raw score for each row of a feature matrix: every (row, tree) pair steps
        down one level at a time, and pairs that reached their leaf drop out."""
        rows = np.asarray(matrix, dtype=np.float64)
        trees = len(self._roots)
        node = np.tile(self._roots, len(rows))
        row = np.repeat(np.arange(len(rows)), trees)
        active = np.arange(len(node))
        for _ in range(self._depth):
            current = node[active]
            threshold = self._threshold[current]
            inner = threshold != np.inf
            if not inner.all():
                active, current, threshold = active[inner], current[inner], threshold[inner]
                if not len(active):
                    break
            go_left = rows[row[active], self._feature[current]] <= threshold
            node[active] = np.where(go_left, self._left[current], self._right[current])
        return self._value[node].reshape(len(rows), trees).sum(axis=1)

    @classmethod
    def load(cls, path: Path):
        """The model saved at `path`; ConfigError when it cannot be read or was trained on
        other features than this code computes."""
        try:
            data = json.loads(path.read_text())
            model = cls(data["model"], data.get("meta", {}))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: not a trained model ({exc}); run `pdbot train-ranker`.") \
                from exc
        if model.features != cls.expected:
            raise ConfigError(f"{path}: trained on other features than this version computes; "
                              "run `pdbot train-ranker`.")
        return model


class SectionRanker(TreeModel):
    """LightGBM LambdaRank over FEATURES: higher scores rank first (not probabilities)."""

    expected = FEATURES


def _flatten(root: dict) -> list[dict]:
    """A tree's nodes in one list, children referred to by index."""
    out: list[dict] = []

    def visit(node: dict) -> int:
        index = len(out)
        out.append(dict(node))
        if "leaf_value" not in node:
            out[index]["left"] = visit(node["left_child"])
            out[index]["right"] = visit(node["right_child"])
        return index

    visit(root)
    return out


def _depth(node: dict) -> int:
    if "leaf_value" in node:
        return 0
    return 1 + max(_depth(node["left_child"]), _depth(node["right_child"]))


def _previous(history: tuple[Turn, ...]) -> tuple[str, str]:
    """The last assistant answer and the last user question before this one."""
    answer = question = ""
    for turn in history:
        if turn.role == "assistant":
            answer = turn.content
        else:
            question, answer = turn.content, ""
    return answer, question


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float32)
    ranks[order] = np.arange(len(values))
    return ranks


def _per_section(chunk_scores: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    valid = owner >= 0
    np.maximum.at(out, owner[valid], np.asarray(chunk_scores, dtype=np.float32)[valid])
    return out

