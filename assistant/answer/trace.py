"""An answer's trace: the step of the answer path and the rule that decided, for `pdbot ask
--json --trace` and eval reports, so a wrong answer points at the component to fix."""
from __future__ import annotations

from enum import Enum


class Stage(str, Enum):
    """The steps of the answer path."""

    UNDERSTAND = "understand"
    RETRIEVE = "retrieve"
    DECIDE = "decide"
    COMPOSE = "compose"


def step(stage: Stage, rule: str, detail: str) -> dict:
    """One entry of a trace, as plain JSON."""
    return {"stage": stage.value, "rule": rule, "detail": detail}
