"""Every sentence the Slack app says apart from answers, in one place: reviewed together, and
tests refer to them by name."""
from __future__ import annotations

from assistant.messages import GREETING  # the engine says the same to a "hello"

__all__ = ["GREETING", "PROMPTS_TITLE", "THINKING", "LOADING_MESSAGES", "went_wrong",
           "SHARE_EXPIRED", "SORRY_FOR_THE_DELAY", "ask_again"]

PROMPTS_TITLE = "Try asking"
THINKING = "is looking in the framework…"
LOADING_MESSAGES = ["Reading the framework…", "Finding the sections that answer this…",
                    "Checking the quotes…"]
SHARE_EXPIRED = "That answer has expired; please ask again."
SORRY_FOR_THE_DELAY = "Sorry for the slow reply: I was restarted while answering this."


def went_wrong(ref: str) -> str:
    """The one line that ends a question the bot failed on; `ref` finds it in the logs."""
    return f"Something went wrong on my side (ref {ref}); please try again."


def ask_again(minutes: int) -> str:
    """The one line for a question left unanswered longer than the bot picks up after a restart."""
    hours, rest = divmod(minutes, 60)
    when = f"{hours} hour{'s' if hours != 1 else ''}" if hours and not rest else \
        f"{minutes} minute{'s' if minutes != 1 else ''}"
    return (f"Sorry, I was restarted before I could answer this, more than {when} ago; "
            "please ask again if you still need it.")
