"""The extractive answer: pick the units of a section that answer the question, lay them out
with [n] marks, and build the citations."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.answer.config import CompositionConfig
from knowledge.records import Citation, Unit



@dataclass
class SectionView:
    """A whole section as the composer sees it: its units (across chunks) and their vectors."""

    section_id: str
    doc_title: str
    doc_date: str
    path: list[str]
    units: list[Unit]
    vectors: np.ndarray
    unit_keys: list[set[str]]  # term_keys() of each unit
    page: int | None = None

    @property
    def title(self) -> str:
        return self.path[-1] if self.path else self.doc_title


@dataclass
class Passage:
    """One cited source of an answer: a section, the units quoted from it, and a title to show."""

    section: SectionView
    units: list[int]
    title: str = ""
    continues: bool = False  # rendered on the same line as the passage before it
    compact: set[int] = field(default_factory=set)  # units shown by name or first clause


def term_keys(unit_terms: set[str]) -> set[str]:
    """A unit's terms and their prefixes of four letters or more, so that a query term matches a
    longer word it begins ("head" matches "headship") by one set lookup."""
    return {t[:n] for t in unit_terms for n in range(4, len(t) + 1)} | unit_terms


def lexical_overlap(query_terms: dict[str, float], unit_keys: set[str]) -> float:
    """IDF-weighted share of query terms found in a unit (see term_keys)."""
    total = sum(query_terms.values())
    if not total:
        return 0.0
    return sum(weight for q, weight in query_terms.items() if q in unit_keys) / total


def score_units(section: SectionView, query_vector: np.ndarray, query_terms: dict[str, float],
                config: CompositionConfig) -> np.ndarray:
    """Relevance of each unit: cosine similarity blended with IDF-weighted term overlap."""
    dense = section.vectors @ query_vector
    lexical = np.array([lexical_overlap(query_terms, keys) for keys in section.unit_keys])
    lead = np.zeros(len(section.units))
    lead[:1] = config.lead_bonus
    return config.dense_share * dense + (1 - config.dense_share) * lexical + lead


def unit_cost(unit: Unit) -> int:
    """Characters a unit takes in an answer: list items and fields may be cut to one sentence."""
    return len(first_sentence(unit.text)) if unit.kind != "sentence" else len(unit.text)


@dataclass
class Pick:
    """Units chosen from one candidate section; `compact` ones are shown by name or first clause."""

    view: int
    units: list[int]
    compact: set[int] = field(default_factory=set)


def pick_units(views: list[SectionView], scores: list[np.ndarray], primary: list[bool],
               columns: list[list[str]], budget: int, max_sections: int,
               config: CompositionConfig, whole_first: bool = True,
               focused: bool = False) -> list[Pick]:
    """Choose units across candidate sections within a budget.

    A unit's score is its own relevance, plus the section prior for primary sections (the
    best-ranked one and its sub-sections), plus a bonus in a table column the question names.
    The first section is quoted whole when short (and `whole_first`). A list in a primary
    section whose items all score alike is what the question asks for ("What hubs are
    there?"): all its items are taken, compactly if need be. A `focused` question (about one
    item of a list) takes only units scoring near the best, in any section. Other units are taken by score,
    from other sections only when scoring near the best. Returns picks in candidate order.
    """
    candidates = []
    for k, (view, unit_scores, is_primary, asked) in enumerate(zip(views, scores, primary, columns)):
        for i, score in enumerate(unit_scores):
            bonus = config.column_bonus if view.units[i].label in asked else 0.0
            candidates.append((float(score) + config.section_prior * is_primary + bonus, k, i))
    if not candidates:
        return []
    candidates.sort(key=lambda c: -c[0])
    picks: dict[int, Pick] = {}
    used = 0
    if whole_first and sum(len(u.text) for u in views[0].units) <= config.small_section:
        picks[0] = Pick(0, list(range(len(views[0].units))))
        used = sum(len(u.text) for u in views[0].units)
    best = candidates[0][0]
    quoted = {_fold(views[k].units[i].text) for k, p in picks.items() for i in p.units}
    for score, k, i in candidates:
        pick = picks.get(k)
        if (pick and i in pick.units) or _fold(views[k].units[i].text) in quoted:
            continue  # the other document may say the very same thing
        if (not primary[k] or focused) and (score < config.secondary_cutoff * best
                                            or (pick is None and len(picks) >= max_sections)):
            continue
        if pick is None and len(picks) >= max_sections + sum(primary) - 1:
            continue
        group = _flat_list(views[k], scores[k], i, config) if primary[k] and not focused else []
        if group:
            full = sum(unit_cost(views[k].units[j]) for j in group)
            compact = set() if used + full <= budget else set(group)
            cost = full if not compact else sum(
                len(compact_form(views[k].units[j].text, config)) + 2 for j in group)
            if picks and used + cost > budget + config.list_overflow:
                continue
            pick = picks.setdefault(k, Pick(k, []))
            pick.units += [j for j in group if j not in pick.units]
            pick.compact |= compact
            quoted |= {_fold(views[k].units[j].text) for j in group}
            used += cost
            continue
        cost = unit_cost(views[k].units[i])
        if picks and used + cost > budget:
            continue
        picks.setdefault(k, Pick(k, [])).units.append(i)
        quoted.add(_fold(views[k].units[i].text))
        used += cost
    return [Pick(k, sorted(p.units), p.compact) for k, p in sorted(picks.items())]


def _fold(text: str) -> str:
    """Text compared loosely: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _flat_list(view: SectionView, scores: np.ndarray, i: int, config: CompositionConfig
               ) -> list[int]:
    """The items of the list holding unit i, when it has three or more items that score alike."""
    unit = view.units[i]
    if unit.kind != "item":
        return []
    group = [j for j, u in enumerate(view.units) if u.kind == "item" and u.label == unit.label]
    if len(group) < config.flat_list_items:
        return []
    values = scores[group]
    return group if float(values.max() - np.median(values)) < config.flat_spread else []


def compact_form(text: str, config: CompositionConfig) -> str:
    """An item cut to its name ("SEND Hub: Supports ..." -> "SEND Hub") or its first clause."""
    head, sep, _ = text.partition(": ")
    if sep and len(head.split()) <= config.name_words:
        return head
    clause = re.split(r"[,;:(]\s", first_sentence(text), maxsplit=1)[0]
    if len(clause.split()) >= config.clause_words and len(clause) <= config.clause_chars:
        return clause
    words = first_sentence(text).split()
    most = config.compact_words
    return " ".join(words[:most]) + ("…" if len(words) > most else "")


def first_sentence(text: str) -> str:
    """The first sentence of a text (the whole text when it is one sentence)."""
    match = re.match(r"(.+?[.!?])\s+[A-Z]", text)
    return match.group(1) if match else text


def quoted_length(passage: Passage) -> int:
    return sum(len(passage.section.units[i].text) for i in passage.units)


def render(passages: list[Passage], config: CompositionConfig, budget: int | None = None,
           intro: str = "") -> tuple[str, list[Citation]]:
    """Lay out passages as answer text with [n] marks, and build their citations. Items and
    fields are cut to their first sentence when the whole would run over the budget."""
    budget = config.answer_budget if budget is None else budget
    shorten = sum(quoted_length(p) for p in passages) > budget + config.shorten_slack
    parts = [intro] if intro else []
    citations = []
    bulleted = len(passages) > 1 or bool(intro)
    for n, passage in enumerate(passages, start=1):
        units = [replace(passage.section.units[i],
                         text=compact_form(passage.section.units[i].text, config))
                 if i in passage.compact else passage.section.units[i] for i in passage.units]
        body = _render_units(units, shorten, inline=bulleted)
        lead = f"{passage.title}:{chr(10) if body.startswith('• ') else ' '}" if passage.title else ""
        if passage.continues and len(parts) > (1 if intro else 0):
            parts[-1] += f" {body} [{n}]"
        else:
            parts.append(f"{'• ' if bulleted else ''}{lead}{body} [{n}]")
        section = passage.section
        citations.append(Citation(
            n=n, document=section.doc_title, date=section.doc_date,
            section=(" › ".join(section.path) or section.doc_title)
            + (f" (p. {section.page})" if section.page else ""),
            text=" ".join(section.units[i].text for i in passage.units),
            chunk_id=section.section_id))
    return "\n".join(parts), citations


def _render_units(units: list[Unit], shorten: bool, inline: bool) -> str:
    """Prose joined; list items under their lead-in; table fields as "Column: a; b"."""
    groups: list[tuple[tuple[str, str], list[str]]] = []
    for unit in units:
        key = (unit.kind, unit.label)
        text = first_sentence(unit.text) if shorten and unit.kind != "sentence" else unit.text
        if groups and groups[-1][0] == key:
            groups[-1][1].append(text)
        else:
            groups.append((key, [text]))
    pieces = []
    for (kind, label), texts in groups:
        if kind == "sentence":
            pieces.append(" ".join(texts))
        elif kind == "item" and not inline and len(texts) > 1:
            head = f"{label}\n" if label else ""
            pieces.append(head + "\n".join(f"• {t}" for t in texts))
        else:
            head = f"{label.rstrip(':')}: " if label else ""
            pieces.append(head + "; ".join(t.rstrip(".;") for t in texts) + ".")
    joiner = " " if inline else "\n"
    return joiner.join(pieces).strip()
