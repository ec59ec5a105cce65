"""Pathway answers: "what next" from the following stage(s), "how do I become X" from stage X
and what the stage before it says about being ready to move on."""
from __future__ import annotations

from assistant import messages
from assistant.compose import ANSWER_BUDGET, Passage, SectionView, render
from assistant.pathway_match import StageMatch
from knowledge.records import Pathway, Stage

MIN_STAGE_BUDGET = 400  # characters for each next stage's summary


def stage_section_ids(sections: dict[str, SectionView], stage: Stage) -> list[str]:
    """A stage's section and its sub-sections (e.g. Transition to Teaching › Pathways)."""
    return [sid for sid in sections
            if sid == stage.section_id or sid.startswith(stage.section_id + "/")]


def stage_sections(sections: dict[str, SectionView], stage: Stage) -> list[SectionView]:
    return [sections[sid] for sid in stage_section_ids(sections, stage)]


def compose_pathway(sections: dict[str, SectionView], match: StageMatch, become: bool):
    """Answer "what next" from the following stage(s); "how do I become X" from stage X
    and what the stage before it says about being ready to move on."""
    pathway, stage = match.pathway, match.stage
    name = _pathway_name(pathway)
    readiness: list[Passage] = []
    if become:
        targets = [stage]
        before = pathway.preceding(stage)
        intro = (f"{_role(stage)} is {_stage_label(stage)} of the {name} pathway"
                 + (f"; it follows {_short(before.title)}." if before else "."))
        if before:
            readiness = [Passage(view, units, title=f"Ready to move on from {_short(before.title)}")
                         for view in stage_sections(sections, before)
                         for units in [[i for i, u in enumerate(view.units)
                                        if u.label == "Progression readiness"]] if units]
    else:
        targets = pathway.following(stage)
        if not targets:  # the last stage: say so, citing the stage itself
            view = sections[stage.section_id]
            return render([Passage(view, _stage_summary(view, ANSWER_BUDGET),
                                   title=_short(stage.title))],
                          intro=messages.last_stage(_short(stage.title), name))
        count = ("one next step" if len(targets) == 1
                 else f"{_NUMBERS.get(len(targets), len(targets))} next steps")
        intro = (f"After {_role(stage)} ({_stage_label(stage)}, {name}) there "
                 f"{'is' if len(targets) == 1 else 'are'} {count}:")
    budget = max(MIN_STAGE_BUDGET, (ANSWER_BUDGET - len(intro)) // len(targets))
    passages = []
    for target in targets:
        remaining = budget
        for k, view in enumerate(stage_sections(sections, target)):
            units = _stage_summary(view, remaining)
            if units:
                passages.append(Passage(view, units, title=_short(target.title) if k == 0 else "",
                                        continues=k > 0))
                remaining -= sum(len(view.units[i].text) for i in units)
    return render(passages + readiness, intro=intro)


def _stage_summary(view: SectionView, budget: int) -> list[int]:
    """A stage's summary within a budget: Purpose and the first Focus items of its table, or
    its opening sentence followed by its labelled statements ("Preparation: ...")."""
    units = view.units
    if any(u.label == "Purpose" for u in units):
        chosen = [i for i, u in enumerate(units) if u.label == "Purpose"]
        used = sum(len(units[i].text) for i in chosen)
        for i in [i for i, u in enumerate(units) if u.label == "Focus"]:
            if len(chosen) > 2 and used + len(units[i].text) > budget:
                break
            chosen.append(i)
            used += len(units[i].text)
        return sorted(chosen)
    candidates = [i for i, u in enumerate(units)
                  if (i == 0 and not _labelled(u.text)) or _labelled(u.text)]
    chosen, used = [], 0
    for i in candidates:
        if chosen and used + len(units[i].text) > budget:
            break
        chosen.append(i)
        used += len(units[i].text)
    return chosen


def _labelled(text: str) -> bool:
    """A labelled statement: "Preparation: ...", "With a Degree: ..."."""
    return ":" in text[:30]


_NUMBERS = {2: "two", 3: "three", 4: "four"}


def _role(stage: Stage) -> str:
    """How to name a stage's holder: "Higher Level Teaching Assistant (HLTA)"."""
    roles = stage.roles
    if len(roles) >= 2 and roles[1].isupper():
        return f"{roles[0]} ({roles[1]})"
    return " / ".join(roles) or _short(stage.title)


def _short(title: str) -> str:
    """A stage title without its tagline: "Stage 4: Specialist Teaching Assistant – Developing
    Expertise" -> "Stage 4: Specialist Teaching Assistant"."""
    return title.split(" – ")[0]


def _stage_label(stage: Stage) -> str:
    return f"Stage {stage.number}" if stage.number is not None else "the exit"


def _pathway_name(pathway: Pathway) -> str:
    return pathway.name.split(":", 1)[-1].strip()
