"""Every user-facing sentence in one place, so wording is reviewed together and tests can use it."""
from __future__ import annotations

NOT_COVERED = ("The framework documents don't cover that, so I can't answer it from them. "
               "I can help with Camden's professional development: progression pathways, "
               "NPQs, coaching, hubs, networks and CPD.")


def not_covered(topic: str | None = None, ask: str = "") -> str:
    """The plain "not covered" answer, naming the topic (and who to ask) when recognised."""
    if not topic:
        return NOT_COVERED
    where = f" For that, ask {ask}." if ask else ""
    return (f"The framework documents don't cover that: it is a question about {topic}, not "
            f"professional development.{where} I can help with progression pathways, NPQs, "
            "coaching, hubs, networks and CPD.")


EMPTY_QUESTION = "Please ask a question, e.g. pdbot ask \"What should an HLTA do next?\""


def question_too_long(length: int, limit: int) -> str:
    return (f"That question is {length:,} characters long; the limit is {limit:,}. "
            "Please ask something shorter.")


def last_stage(stage_title: str, pathway: str) -> str:
    return f"{stage_title} is the last stage of the {pathway} pathway; the framework describes no stage after it."
