"""Every user-facing sentence in one place, so wording is reviewed together and tests can use it."""
from __future__ import annotations

HELP = ("I can help with Camden's professional development: progression pathways, NPQs, "
        "coaching, hubs, networks and CPD.")
NOT_COVERED = ("The framework documents don't cover that, so I can't answer it from them. "
               + HELP)
INSTRUCTIONS = ("I can only answer questions from the professional development documents, and I "
                "don't follow instructions written into a question (to change my rules, reveal my "
                "configuration or share personal details). " + HELP)
INSTRUCTIONS_NOTE = ("(I left out an instruction in your message: I only answer from the "
                     "documents.)")
GREETING = ("Hi! Ask me about Camden's professional development framework: pathways, NPQs, "
            "coaching, hubs and networks. I quote and cite the sections I answer from.")
THANKS = "You're welcome. Ask me anything else about the professional development framework."
EMPTY_QUESTION = "Please ask a question, e.g. pdbot ask \"What should an HLTA do next?\""

_MISSING = {
    "amount": "a price, fee or amount for that",
    "date": "a date or deadline for that",
    "person": "who that is: they name no individual contacts",
    "statistic": "figures or statistics on that",
    "count": "how many",
    "duration": "how long that takes",
    "frequency": "how often that happens",
}


def not_covered(topic: str | None = None, ask: str = "") -> str:
    """The plain "not covered" answer, naming the topic (and who to ask) when recognised."""
    if not topic:
        return NOT_COVERED
    where = f" For that, ask {ask}." if ask else ""
    return (f"The framework documents don't cover that: it is a question about {topic}, not "
            f"professional development.{where} I can help with progression pathways, NPQs, "
            "coaching, hubs, networks and CPD.")


def not_stated(kind: str, organisations: tuple[str, ...] = ()) -> str:
    """The lead-in of an answer whose question asks for a value the documents don't give."""
    if kind == "other_org":
        names = " or ".join(organisations) or "other organisations"
        return (f"The documents describe Camden Learning's offer only; they don't say what "
                f"{names} offer{'s' if len(organisations) == 1 else ''}. The closest they come:")
    return f"The documents don't say {_MISSING.get(kind, 'that')}. The closest they come:"


def catalogue_intro(count: int) -> str:
    return f"I answer from {count} document{'s' if count != 1 else ''}:" if count > 1 else ""


def catalogue_line(title: str, date: str, status: str, current_title: str, publisher: str = "") -> str:
    """One document as the catalogue describes it."""
    dated = f"dated {date}" if date and date != "current" else "undated"
    by = f", published by {publisher}" if publisher else ""
    if status == "superseded" and current_title:
        return f"{title} ({dated}{by}): superseded by the {current_title}, the current document."
    if status == "current":
        return f"{title} ({dated}{by}): the current document."
    return f"{title} ({dated}{by})."


def compare_intro(titles: list[str]) -> str:
    return "What each document says: " if len(titles) > 1 else ""



def question_too_long(length: int, limit: int) -> str:
    return (f"That question is {length:,} characters long; the limit is {limit:,}. "
            "Please ask something shorter.")


def last_stage(stage_title: str, pathway: str) -> str:
    return f"{stage_title} is the last stage of the {pathway} pathway; the framework describes no stage after it."
