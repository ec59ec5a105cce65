"""Training the section ranker and the unit selector from the question bank, and measuring them
by writer.

Every in-scope case of the training sets is read by the engine as it answers (its Query), and
each section of the index becomes one row of ranking features, labelled 1 when it is one of the
case's gold sections (evals/sections.py). LightGBM's LambdaRank learns from these groups. The
unit selector then learns, over the units of each case's best-ranked and gold sections, which
hold one of the case's fact phrases (LightGBM, binary). Neither model's features name a
section, so both carry over to changed documents.

Held-out quality is measured by writer: each writer's cases are scored by models trained
without them (leave one writer out): the ranker's recall@1 (the first section answers), and the
selector's fact recall@5 (the share of fact phrases in the five units it scores highest). The
blind test writers (`round-4-test.jsonl`) are never trained on.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evals.runner import load_cases, section_heading
from evals.sections import gold_sections

EVALS = Path(__file__).resolve().parent
TRAINING_SETS = ("cases.jsonl", "holdout.jsonl", "conversations.jsonl", "blind/round-1.jsonl",
                 "blind/round-2.jsonl", "blind/round-3.jsonl", "blind/round-4-train.jsonl")
TEST_SETS = ("blind/round-4-test.jsonl",)
PARAMETERS = {"objective": "lambdarank", "metric": "ndcg", "learning_rate": 0.05,
              "num_leaves": 15, "min_data_in_leaf": 20, "feature_fraction": 0.8,
              "bagging_fraction": 0.8, "bagging_freq": 1, "lambdarank_truncation_level": 10,
              "seed": 7, "deterministic": True, "num_threads": 1, "verbose": -1}
ROUNDS = 200
_BLIND_ID = re.compile(r"^(b\d[a-z])-")


def writer_of(case_id: str, set_name: str) -> str:
    """A blind case's writer ("b4h"), else the set it comes from ("cases", "holdout")."""
    match = _BLIND_ID.match(case_id)
    return match.group(1) if match else Path(set_name).stem


@dataclass
class Query:
    """One case's ranking rows (features per section, gold labels, its writer), and what the
    unit selector's rows are built from."""

    case_id: str
    writer: str
    kind: str
    matrix: np.ndarray
    labels: np.ndarray
    facts: list = field(default_factory=list)
    read: object = None  # the engine's Query
    turns: list = field(default_factory=list)
    gold: list = field(default_factory=list)


@dataclass
class Dataset:
    queries: list[Query] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    sources: dict = field(default_factory=dict)  # set name -> SHA-1 of its file

    def arrays(self, queries: list[Query] | None = None):
        chosen = self.queries if queries is None else queries
        return (np.vstack([q.matrix for q in chosen]),
                np.concatenate([q.labels for q in chosen]).astype(int),
                [len(q.labels) for q in chosen])


def build_dataset(engine, sets: tuple[str, ...] = TRAINING_SETS, progress=None) -> Dataset:
    """Ranking rows for every in-scope case with gold sections in the given sets."""
    from assistant.batch import parse_history

    sections = {sid: (section_heading(v), " ".join(u.text for u in v.units))
                for sid, v in engine.index.sections.items()}
    data = Dataset()
    for name in sets:
        path = EVALS / name
        data.sources[name] = hashlib.sha1(path.read_bytes()).hexdigest()[:12]
        for case in load_cases(path):
            gold = gold_sections(case, sections) if case.get("in_scope", True) else []
            if not gold:
                continue
            turns = parse_history(case.get("history"))
            query = engine.reader.read(engine.validate(case["question"]), turns)
            matrix, ids = engine.ranking_inputs(query, turns)
            data.sections = ids
            data.queries.append(Query(case["id"], writer_of(case["id"], name),
                                      case.get("kind", ""), matrix,
                                      np.array([sid in gold for sid in ids]),
                                      case.get("facts", []), query, turns, gold))
            if progress:
                progress(1)
    return data


def fit(dataset: Dataset, queries: list[Query] | None = None, rounds: int = ROUNDS):
    """A LightGBM LambdaRank booster trained on the queries (default: all)."""
    import lightgbm

    from assistant.answer.ranking import FEATURES

    matrix, labels, groups = dataset.arrays(queries)
    train = lightgbm.Dataset(matrix, labels, group=groups, feature_name=list(FEATURES),
                             free_raw_data=False)
    return lightgbm.train(dict(PARAMETERS), train, num_boost_round=rounds)


def recall_at(model, queries: list[Query], k: int = 1) -> float:
    """Share of queries whose k best-scored sections include a gold one."""
    if not queries:
        return 0.0
    hits = [bool(q.labels[np.argsort(-model.predict(q.matrix), kind="stable")[:k]].any())
            for q in queries]
    return sum(hits) / len(hits)


def cross_validate(dataset: Dataset) -> dict:
    """Leave one writer out: each writer's recall@1 and @3 with a model trained without them,
    and the total over all held-out queries."""
    writers = sorted({q.writer for q in dataset.queries})
    per_writer, hit1, hit3 = {}, 0.0, 0.0
    for writer in writers:
        held = [q for q in dataset.queries if q.writer == writer]
        model = fit(dataset, [q for q in dataset.queries if q.writer != writer])
        r1, r3 = recall_at(model, held, 1), recall_at(model, held, 3)
        per_writer[writer] = {"queries": len(held), "recall_at_1": r1, "recall_at_3": r3}
        hit1 += r1 * len(held)
        hit3 += r3 * len(held)
    total = len(dataset.queries)
    return {"recall_at_1": hit1 / total, "recall_at_3": hit3 / total, "queries": total,
            "writers": per_writer}


SELECTOR_PARAMETERS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 15,
                       "min_data_in_leaf": 20, "feature_fraction": 0.8, "bagging_fraction": 0.8,
                       "bagging_freq": 1, "seed": 7, "deterministic": True, "num_threads": 1,
                       "verbose": -1}
SELECTOR_ROUNDS = 200
CANDIDATES = 3  # the unit selector learns over this many best-ranked sections, and gold ones
FACT_UNITS = 5  # its held-out measure: facts found in this many best-scored units


@dataclass
class UnitRows:
    """One case's unit rows: features, labels (the unit holds a fact phrase), its writer, and
    for each unit which fact groups it holds."""

    writer: str
    matrix: np.ndarray
    labels: np.ndarray
    holds: list
    facts: int


def unit_rows(engine, dataset: Dataset, ranker) -> list[UnitRows]:
    """The unit selector's training rows: for each case, the units of its CANDIDATES best
    sections by `ranker` and of its gold sections."""
    from assistant.answer.selection import unit_matrix
    from evals.metrics import normalise

    out = []
    for q in dataset.queries:
        if not q.facts:
            continue
        scores = ranker.scores(q.matrix)
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        chosen = list(dict.fromkeys([dataset.sections[i] for i in order[:CANDIDATES]] + q.gold))
        position = {sid: i for i, sid in enumerate(dataset.sections)}
        views = [engine.index.sections[sid] for sid in chosen]
        matrix, where = unit_matrix(q.read, engine.unit_question(q.read, q.turns), views,
                                    [float(scores[position[sid]]) for sid in chosen],
                                    [sid.startswith(chosen[0] + "/") for sid in chosen])
        holds = []
        for k, i in where:
            text = normalise(views[k].units[i].text)
            holds.append({g for g, group in enumerate(q.facts)
                          if any(normalise(p) in text for p in group)})
        out.append(UnitRows(q.writer, matrix, np.array([bool(h) for h in holds]), holds,
                            len(q.facts)))
    return out


def fit_selector(rows: list[UnitRows]):
    import lightgbm

    from assistant.answer.selection import UNIT_FEATURES

    matrix = np.vstack([r.matrix for r in rows if len(r.labels)])
    labels = np.concatenate([r.labels for r in rows if len(r.labels)]).astype(int)
    return lightgbm.train(dict(SELECTOR_PARAMETERS),
                          lightgbm.Dataset(matrix, labels, feature_name=list(UNIT_FEATURES)),
                          num_boost_round=SELECTOR_ROUNDS)


def fact_recall_at(model, rows: list[UnitRows], k: int = FACT_UNITS) -> float:
    """Share of fact groups held by the k units the model scores highest."""
    found = total = 0
    for r in rows:
        total += r.facts
        if len(r.labels):
            best = np.argsort(-model.predict(r.matrix), kind="stable")[:k]
            found += len(set().union(*(r.holds[i] for i in best)))
    return found / total if total else 0.0


def cross_validate_selector(rows: list[UnitRows]) -> dict:
    """Leave one writer out: each writer's fact recall@FACT_UNITS."""
    writers = sorted({r.writer for r in rows})
    per_writer, total, weight = {}, 0.0, 0
    for writer in writers:
        held = [r for r in rows if r.writer == writer]
        model = fit_selector([r for r in rows if r.writer != writer])
        value = fact_recall_at(model, held)
        facts = sum(r.facts for r in held)
        per_writer[writer] = {"facts": facts, f"fact_recall_at_{FACT_UNITS}": value}
        total += value * facts
        weight += facts
    return {f"fact_recall_at_{FACT_UNITS}": total / weight if weight else 0.0,
            "writers": per_writer}


def compact_dump(booster) -> dict:
    """LightGBM's JSON dump without what prediction does not read (gains, counts, weights)."""
    keep = {"split_feature", "threshold", "decision_type", "default_left", "missing_type",
            "left_child", "right_child", "leaf_value"}

    def strip(node: dict) -> dict:
        out = {k: v for k, v in node.items() if k in keep}
        for child in ("left_child", "right_child"):
            if child in out:
                out[child] = strip(out[child])
        return out

    model = booster.dump_model()
    return {"feature_names": model["feature_names"], "objective": model.get("objective", ""),
            "tree_info": [{"tree_structure": strip(t["tree_structure"])}
                          for t in model["tree_info"]]}


def train_and_save(engine, out: Path, progress=None) -> dict:
    """Build the training rows, cross-validate by writer, score the test writers, fit on all
    training rows and write the ranker (LightGBM's JSON dump plus how it was made)."""
    from assistant.answer.ranking import SectionRanker
    from assistant.answer.selection import SELECTOR_FILE

    train = build_dataset(engine, TRAINING_SETS, progress)
    test = build_dataset(engine, TEST_SETS, progress)
    validation = cross_validate(train)
    model = fit(train)
    ranker = SectionRanker(compact_dump(model))
    units = unit_rows(engine, train, ranker)
    selector = fit_selector(units)
    test_units = unit_rows(engine, test, ranker)
    meta = {
        "trained": datetime.date.today().isoformat(),
        "parameters": PARAMETERS, "rounds": ROUNDS,
        "training_sets": train.sources,
        "training_queries": len(train.queries),
        "cross_validated_by_writer": validation,
        "test_writers": {"sets": test.sources, "queries": len(test.queries),
                         "recall_at_1": recall_at(model, test.queries, 1),
                         "recall_at_3": recall_at(model, test.queries, 3)},
        "engine_config": engine.config.digest(),
    }
    selector_meta = {
        "trained": meta["trained"], "parameters": SELECTOR_PARAMETERS, "rounds": SELECTOR_ROUNDS,
        "training_sets": train.sources, "candidates": CANDIDATES,
        "cross_validated_by_writer": cross_validate_selector(units),
        "test_writers": {f"fact_recall_at_{FACT_UNITS}": fact_recall_at(selector, test_units)},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"meta": meta, "model": compact_dump(model)}))
    selector_out = out.with_name(SELECTOR_FILE)
    selector_out.write_text(json.dumps({"meta": selector_meta, "model": compact_dump(selector)}))
    meta["selector"] = selector_meta
    return meta
