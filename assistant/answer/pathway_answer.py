"""Pathway answers, for a stage the question names (a "Stage N" section or a career-table row):

- next:   the following stage(s), each summarised;
- become: the stage itself, and what the stage before it says about being ready to move on;
- detail: the aspects asked for (purpose, focus, examples, readiness, preparation, a table
          column), or a summary when none is named;
- which:  the stage that fits, named and summarised.
Which columns or labelled statements hold an aspect comes from knowledge/domain/columns.yml.
"""
from __future__ import annotations

import re

import numpy as np

from assistant import messages
from assistant.answer.compose import Passage, SectionView, render
from assistant.answer.config import CompositionConfig, PathwayConfig
from assistant.answer.stages import StageMatch
from knowledge.domain import Aspect
from knowledge.records import Pathway, Stage, Unit



class PathwayComposer:
    """Pathway answers over the live index's sections, reading aspects from the domain data."""

    def __init__(self, sections: dict[str, SectionView], aspects: dict[str, Aspect],
                 config: PathwayConfig, composition: CompositionConfig):
        self.config = config
        self.composition = composition
        self.sections = sections
        self.aspects = aspects
        self.summary = [a for a in aspects.values() if a.summary]
        readiness = aspects.get("readiness")
        self.readiness_columns = {c.lower() for c in readiness.columns} if readiness else set()

    def compose(self, match: StageMatch, direction: str, asked: tuple[str, ...],
                budget: int, relevance=None, related: Passage | None = None):
        """(answer text, citations) for one stage and direction; `relevance(view)` scores a
        section's units for the question (detail answers quote the most relevant); `related`
        is a passage outside the pathway that a "become" answer quotes too (the NPQ a SENCO
        needs)."""
        if direction == "next":
            return self._next(match, budget)
        if direction == "become":
            return self._become(match, budget, related)
        if direction == "which":
            return self._which(match, budget)
        return self._detail(match, asked, budget, relevance)

    def _next(self, match: StageMatch, budget: int):
        pathway, stage = match.pathway, match.stage
        name = pathway_name(pathway)
        targets = pathway.following(stage)
        if not targets:  # the last stage: say so, citing the stage itself
            views = self.stage_sections(stage)
            return render([Passage(views[0], self.summarise(views[0], budget),
                                   title=short(stage.title))], self.composition, budget,
                          intro=messages.last_stage(short(stage.title), name))
        count = ("one next step" if len(targets) == 1 else
                 f"{_NUMBERS.get(len(targets), len(targets))} next steps")
        intro = (f"After {role(stage)} ({stage_label(pathway, stage)}, {name}) there "
                 f"{'is' if len(targets) == 1 else 'are'} {count}:")
        return render(self._summaries(targets, budget - len(intro)), self.composition, budget,
                      intro=intro)

    def _become(self, match: StageMatch, budget: int, related: Passage | None = None):
        pathway, stage = match.pathway, match.stage
        before = pathway.preceding(stage)
        intro = (f"{role(stage)} is {stage_label(pathway, stage)} of the {pathway_name(pathway)}"
                 + (f"; it follows {short(before.title)}." if before else "."))
        readiness = []
        if before:
            for view in self.stage_sections(before):
                units = [i for i, u in enumerate(view.units) if self._in_columns(u, self.readiness_columns)]
                if units:
                    readiness.append(Passage(view, units, title=f"Ready to move on from {short(before.title)}"))
        room = budget - len(intro) - self.config.readiness_room * bool(readiness) \
            - self.config.related_room * bool(related)
        passages = self._summaries([stage], room)
        return render(passages + readiness + ([related] if related else []), self.composition,
                      budget, intro=intro)

    def _which(self, match: StageMatch, budget: int):
        pathway, stage = match.pathway, match.stage
        intro = f"That is {short(stage.title)} ({stage_label(pathway, stage)}, {pathway_name(pathway)})."
        return render(self._summaries([stage], budget - len(intro)), self.composition, budget,
                      intro=intro)

    def _detail(self, match: StageMatch, asked: tuple[str, ...], budget: int, relevance=None):
        stage = match.stage
        passages = []
        for k, view in enumerate(self.stage_sections(stage)):
            units = self.aspect_units(view, asked) if asked else []
            if not asked and sum(len(u.text) for u in view.units) <= self.composition.small_section:
                units = list(range(len(view.units)))  # "what does a specialist TA do?": all of it
            if relevance is not None and view.units:  # "a deputy's role in safeguarding"
                scores = relevance(view)
                best = float(scores.max())
                units += [int(i) for i in np.argsort(-scores)[:self.config.relevant_units]
                          if scores[i] >= self.config.relevant_share * best and int(i) not in units]
            used = sum(len(view.units[i].text) for i in units)
            fill = int(self.config.detail_fill * budget)
            if k == 0 and used < fill:  # the rest of the stage, for context
                units = sorted(set(units) | set(self.summarise(view, fill - used)))
            if units:
                passages.append(Passage(view, units, title=short(stage.title) if k == 0 else "",
                                        continues=k > 0))
        return render(passages, self.composition, budget)

    def aspect_units(self, view: SectionView, asked: tuple[str, ...]) -> list[int]:
        """Units of a section holding the asked aspects: a table column, a labelled statement
        ("Preparation: ..."), or for "what the role does" its prose."""
        chosen: list[int] = []
        for key in asked:
            aspect = self.aspects.get(key)
            if aspect is None:
                continue
            columns = {c.lower() for c in aspect.columns}
            labels = tuple(f"{label.lower()}:" for label in aspect.labels)
            chosen += [i for i, u in enumerate(view.units)
                       if self._in_columns(u, columns)
                       or (labels and u.text.lower().startswith(labels))]
        if not chosen and any(self.aspects[k].summary for k in asked if k in self.aspects):
            chosen = [i for i, u in enumerate(view.units) if u.kind == "sentence"
                      and not _labelled(u.text)]  # what the role does: the stage's prose
        return sorted(set(chosen))

    @staticmethod
    def _in_columns(unit: Unit, columns: set[str]) -> bool:
        return unit.kind == "field" and unit.label.lower() in columns

    def stage_sections(self, stage: Stage) -> list[SectionView]:
        """A stage's section and its sub-sections (e.g. Transition to Teaching › Pathways)."""
        return [view for sid, view in self.sections.items()
                if sid == stage.section_id or sid.startswith(stage.section_id + "/")]

    def _summaries(self, stages: list[Stage], budget: int) -> list[Passage]:
        each = max(self.config.min_stage_budget, budget // max(1, len(stages)))
        passages = []
        for target in stages:
            remaining = each
            for k, view in enumerate(self.stage_sections(target)):
                units = self.summarise(view, remaining)
                if units:
                    passages.append(Passage(view, units, title=short(target.title) if k == 0 else "",
                                            continues=k > 0))
                    remaining -= sum(len(view.units[i].text) for i in units)
        return passages

    def summarise(self, view: SectionView, budget: int) -> list[int]:
        """A stage's summary within a budget: its summary aspects' columns (Purpose, then Focus
        items), or a table row's first items per column, or its opening sentence followed by
        its labelled statements ("Preparation: ...")."""
        units = view.units
        columns = [{c.lower() for c in a.columns} for a in self.summary]
        if any(self._in_columns(u, cols) for u in units for cols in columns):
            chosen: list[int] = []
            used = 0
            for cols in columns:
                for i in [i for i, u in enumerate(units) if self._in_columns(u, cols)]:
                    if len(chosen) > 2 and used + len(units[i].text) > budget:
                        break
                    chosen.append(i)
                    used += len(units[i].text)
            chosen += [i for i, u in enumerate(units)  # "Subject Networks / Learning Hubs / NPQ"
                       if u.kind == "sentence" and len(u.text) <= self.config.short_prose]
            return sorted(chosen)
        if units and all(u.kind == "field" for u in units):  # a career-table row
            chosen, used, per_column = [], 0, {}
            for i, u in enumerate(units):
                per_column[u.label] = per_column.get(u.label, 0) + 1
                if per_column[u.label] <= self.config.row_items and used + len(u.text) <= budget:
                    chosen.append(i)
                    used += len(u.text)
            return chosen
        candidates = [i for i, u in enumerate(units)
                      if (i == 0 and not _labelled(u.text)) or _labelled(u.text)]
        chosen, used = [], 0
        for i in candidates:
            if chosen and used + len(units[i].text) > budget:
                break
            chosen.append(i)
            used += len(units[i].text)
        return chosen or list(range(min(1, len(units))))


def _labelled(text: str) -> bool:
    """A labelled statement: "Preparation: ...", "With a Degree: ..."."""
    return ":" in text[:30]


_NUMBERS = {2: "two", 3: "three", 4: "four"}


def role(stage: Stage) -> str:
    """How to name a stage's holder: "Higher Level Teaching Assistant (HLTA)", "Phase Leader /
    Head of Department / Head of Faculty" (the title without "Stage N:" and its tagline)."""
    roles = stage.roles
    if len(roles) >= 2 and f"({roles[1]})" in stage.title:
        return f"{roles[0]} ({roles[1]})"
    prefixes = [r for r in roles if stage.title.lower().startswith(r.lower())]
    if prefixes and not stage.title.startswith("Stage"):  # a table row: "Established Teachers"
        return min(prefixes, key=len)
    core = re.sub(r"^Stage\s+\d+\s*:\s*", "", short(stage.title))
    return core.split(":")[0].strip() or short(stage.title)


def short(title: str) -> str:
    """A stage title without its tagline: "Stage 4: Specialist Teaching Assistant – Developing
    Expertise" -> "Stage 4: Specialist Teaching Assistant". A career-table row label ("Headteacher
    – Experienced") is kept whole: its dash is part of the name."""
    return title.split(" – ")[0] if title.startswith("Stage") or " – " not in title \
        or len(title.split(" – ")[1].split()) > 2 else title


def stage_label(pathway: Pathway, stage: Stage) -> str:
    if pathway.kind == "table":
        return f"row {stage.number} of {len(pathway.stages)}"
    return f"Stage {stage.number}" if stage.number is not None else "the exit"


def pathway_name(pathway: Pathway) -> str:
    return pathway.name.split(":", 1)[-1].strip()
