"""Every tuned number of the answer path, in one validated configuration object.

`EngineConfig` groups the numbers by step (understanding, retrieval, decision, composition,
pathways) and names the components an ablation can switch off. It is frozen, serialisable
(`to_dict` / `from_dict`, with a short `digest`), recorded with every eval result and index
version, and read from a JSON file named by PDBOT_ENGINE_CONFIG (only the values that differ
from the defaults need be given). A value out of its range, of the wrong type, or under an
unknown name is a ConfigError naming it.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from pathlib import Path

from knowledge.errors import ConfigError


def _share(default: float) -> float:
    return field(default=default, metadata={"range": (0.0, 1.0)})


def _weight(default: float, high: float = 100.0) -> float:
    return field(default=default, metadata={"range": (0.0, high)})


def _count(default: int, high: int = 100_000) -> int:
    return field(default=default, metadata={"range": (1, high)})


@dataclass(frozen=True)
class Components:
    """Parts of the answer path an ablation can switch off, each on by default."""

    spelling: bool = True  # typo correction (never of a dictionary word)
    topic_refusal: bool = True  # refusing uncovered topics (pay, leave, IT...)
    followup_rewriting: bool = True  # folding the conversation into a follow-up
    role_detection: bool = True  # telling the role the asker holds from roles mentioned
    message_splitting: bool = True  # answering several questions of one message separately
    intent_classes: bool = True  # the intent and answer-type classifiers (off: plain questions)
    learned_ranker: bool = True  # the learned section ranker (off: weighted rank fusion)
    learned_selector: bool = True  # the learned unit selector (off: similarity and overlap
    # only); never for a list question (passages.py)


@dataclass(frozen=True)
class UnderstandingConfig:
    """Reading a message: splitting, classifying, follow-ups, roles."""

    attack_probability: float = _share(0.4)  # a segment this likely an attack is dropped
    screen: float = _share(0.2)  # word-only screen score that sends a segment to the full check
    sure_compare: float = _share(0.7)  # a message this surely a comparison stays one question
    min_intent_probability: float = _share(0.3)  # below this a question is a plain "fact"
    soft_type_probability: float = _share(0.35)  # a kind of value this likely is looked for
    smalltalk_words: int = _count(5)  # small talk is this short
    informative_words: int = _count(2)  # heading words that keep a statement beside a question
    own_confident: float = _share(0.6)  # a follow-up read this surely by itself keeps its intent
    recent_vectors: int = _count(32)  # embeddings kept for texts just embedded
    max_context_words: int = _count(12)  # words of the earlier question a follow-up carries
    name_words: int = _count(6)  # a heading this short names a topic
    elliptical_words: int = _count(4)  # a follow-up this short may swap a noun
    min_clause_words: int = _count(3)  # a clause this long may be a question of its own
    cue_reach: int = _count(3)  # a holding cue this many words before a role ("I'm a new TA")
    excluded_words: int = _count(5)  # words after "apart from" that the asker knows about
    dense_weight: float = _weight(4.0)  # the embedding's weight against word features
    regularisation: float = _weight(4.0, 1000.0)  # the classifiers' C


@dataclass(frozen=True)
class RetrievalConfig:
    """Ranking sections: the learned ranker's inputs, and the rank fusion it replaces."""

    max_idf: float = _weight(4.0)  # weight of a question word the documents never use
    max_phrase: int = _count(4, 10)  # longest shared phrase counted, in words
    list_items: int = _count(3, 100)  # a section with this many list items is a list
    close_margin: float = _weight(1.0)  # ranker score within this of the best: an equal
    depth: int = _count(20)  # candidates each fused ranking keeps
    rrf_k: int = _count(60)  # reciprocal rank fusion's constant
    dense_weight: float = _weight(1.0)  # fusion weights: chunk vectors,
    unit_weight: float = _weight(0.7)  # best unit vector,
    bm25_weight: float = _weight(1.5)  # BM25 over text,
    title_weight: float = _weight(1.0)  # BM25 over headings,
    phrase_weight: float = _weight(1.0)  # longest shared phrase
    lexical_share: float = _share(0.4)  # a BM25 list keeps scores within this share of its top
    title_share: float = _share(0.6)
    similarity_margin: float = _share(0.12)  # a cosine list keeps this close to its top
    common_share: float = _share(0.45)  # a term in more of the chunks than this is ignored
    superseded_weight: float = _share(0.7)  # fusion: an earlier document below the current one
    close_share: float = _share(0.8)  # fusion: a section this close to the best is an equal


@dataclass(frozen=True)
class DecisionConfig:
    """Answering or not, and how."""

    min_similarity: float = _share(0.33)  # below this cosine nothing is about the question
    answers_well: float = _share(0.62)  # a passage this close answers an off-topic-looking one
    topic_probability: float = _share(0.25)  # an uncovered topic needs this to refuse
    surer_needs_more: float = _share(0.3)  # the surer the topic, the closer a passage must be
    follow_up_topic_margin: float = _share(0.25)  # a follow-up continues the conversation: an
    # uncovered topic needs this much more probability to refuse it
    smalltalk_words: int = _count(5)
    typed_units: int = _count(5)  # units searched for the value a typed question asks, x8
    typed_share: float = _share(0.6)  # a unit holding the value scores this share of the best
    typed_own_sections: int = _count(2)  # ... unless it is in one of this many best sections
    best_sections: int = _count(4)  # sections searched for typed values
    sure_type: float = _share(0.6)  # an answer type this likely refuses when the value is missing
    sure_compare: float = _share(0.7)  # "has it changed since 2023?" compares though naming one
    uncertain: float = _share(0.3)  # intent below which a named stage gets its details ...
    strong_name: int = _count(9)  # ... when named this strongly
    confident: float = _share(0.7)  # a next-step reading this likely stands against an aspect
    unsure: float = _share(0.3)  # ... otherwise a stage-detail reading this likely wins
    outline_list: float = _share(0.3)  # a list reading this likely may get an outline answer
    sure_list: float = _share(0.5)  # ... and one this likely, the headings under a bare heading
    catalogue_passage: float = _weight(1.5)  # a ranker score this high adds a passage to a
    # catalogue answer
    stage_gate: int = field(default=2, metadata={"range": (0, 100)})  # a stage's details only
    # when retrieval ranks its section among this many best (0: always)
    related_min: float = _share(0.45)  # a "become" answer's related passage scores this
    candidates_for_related: int = _count(5)  # ... among this many best sections


@dataclass(frozen=True)
class CompositionConfig:
    """Quoting: which units, how many characters."""

    answer_budget: int = _count(680)  # characters of quoted text across all passages
    small_section: int = _count(620)  # a section this short is quoted whole
    max_parts: int = _count(3, 10)  # questions answered from one message
    min_part_budget: int = _count(300)  # characters for each of several questions
    dense_share: float = _share(0.65)  # a unit's relevance: cosine's share against term overlap
    lead_bonus: float = _weight(0.06, 1.0)  # a section's first sentence says what it is about
    secondary_cutoff: float = _share(0.85)  # a further section needs a unit this good
    flat_spread: float = _weight(0.15, 1.0)  # a list whose items score alike is one answer
    flat_list_items: int = _count(3, 100)  # ... when it has at least this many items
    section_prior: float = _weight(0.15, 1.0)  # added to units of the primary sections
    column_bonus: float = _weight(0.15, 1.0)  # added to units in a column the question names
    max_passages: int = _count(3, 20)
    one_stage_strength: int = _count(3, 100)  # a stage named this strongly is quoted alone
    candidate_sections: int = _count(5, 50)
    other_version_similarity: float = _share(0.85)  # the other document this close: cited too
    other_version_chars: int = _count(240)  # ... quoting one statement at most this long
    same_wording: float = _share(0.6)  # term overlap at which two statements say the same
    same_heading: float = _share(0.5)  # heading overlap at which two documents' sections match
    value_bonus: float = _weight(1.0, 10.0)  # the unit holding a typed value is quoted first
    selector_weight: float = _weight(0.5, 10.0)  # the unit selector's probability, added
    list_bonus: float = _weight(0.3, 1.0)  # the best list's edge when a question asks for one
    list_near_best: float = _share(0.7)  # ... when its items score this share of the best unit
    list_title: float = _weight(0.3, 1.0)  # ... counting how much its title echoes the question
    closest_units: int = _count(2, 20)  # "the documents don't say" quotes this many units
    compact_words: int = _count(12, 100)  # an item cut short keeps this many words ...
    name_words: int = _count(7, 100)  # ... or its name before ": " when that is this short,
    clause_words: int = _count(3, 100)  # ... or its first clause, when at least this many words
    clause_chars: int = _count(90)  # ... and at most this many characters
    shorten_slack: int = _count(100)  # quotes this far over budget are cut to first sentences
    list_overflow: int = _count(80)  # a whole list may run this far over the budget


@dataclass(frozen=True)
class PathwayConfig:
    """Pathway answers: next steps, becoming a role, a stage's details."""

    weak_name: int = _count(2, 100)  # strength of a stage named by a pathway title's end
    min_stage_budget: int = _count(400)  # characters for each next stage's summary
    row_items: int = _count(2, 50)  # items per column when a career-table row is summarised
    detail_fill: float = _share(0.7)  # a detail answer adds the summary up to this share
    readiness_room: int = _count(150)  # characters kept for readiness to move on ...
    related_room: int = _count(200)  # ... and for a related passage outside the pathway
    relevant_units: int = _count(2, 20)  # a detail answer quotes this many most relevant units
    relevant_share: float = _share(0.9)  # ... scoring this share of the most relevant
    short_prose: int = _count(120)  # a table stage's prose this short is part of its summary


@dataclass(frozen=True)
class EngineConfig:
    """The whole answer path's configuration."""

    components: Components = field(default_factory=Components)
    understanding: UnderstandingConfig = field(default_factory=UnderstandingConfig)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    decision: DecisionConfig = field(default_factory=DecisionConfig)
    composition: CompositionConfig = field(default_factory=CompositionConfig)
    pathways: PathwayConfig = field(default_factory=PathwayConfig)

    def to_dict(self) -> dict:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "EngineConfig":
        """A configuration from (part of) to_dict's shape; the rest keeps its defaults."""
        if not isinstance(data, dict):
            raise ConfigError("engine configuration must be a JSON object of groups.")
        return _build(cls, data, "")

    def digest(self) -> str:
        """A short hash of every value: the same digest means the same engine settings."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    def without(self, component: str) -> "EngineConfig":
        """This configuration with one component switched off (for ablations)."""
        if component not in {f.name for f in fields(Components)}:
            raise ConfigError(f"unknown component {component!r}.")
        return replace(self, components=replace(self.components, **{component: False}))

    @classmethod
    def load(cls, path: Path | None) -> "EngineConfig":
        """The defaults, overridden by the JSON file at `path` when given."""
        if path is None:
            return cls()
        try:
            data = json.loads(Path(path).read_text())
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno}).") from exc
        try:
            return cls.from_dict(data)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from exc


def _plain(value):
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def _build(kind, data: dict, where: str):
    known = {f.name: f for f in fields(kind)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"unknown setting {where}{unknown[0]!r} in the engine configuration.")
    values = {}
    for name, value in data.items():
        spec = known[name]
        path = f"{where}{name}"
        default = spec.default_factory() if spec.default_factory is not MISSING else spec.default
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise ConfigError(f"{path} must be an object of settings.")
            values[name] = _build(type(default), value, f"{path}.")
        else:
            values[name] = _checked(path, value, default, spec.metadata.get("range"))
    return kind(**values)


def _checked(path: str, value, default, bounds):
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{path} must be true or false, not {value!r}.")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path} must be a whole number, not {value!r}.")
    elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{path} must be a number, not {value!r}.")
    if bounds and not bounds[0] <= value <= bounds[1]:
        raise ConfigError(f"{path} must be between {bounds[0]} and {bounds[1]}, not {value!r}.")
    return type(default)(value)
