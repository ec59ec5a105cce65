"""Errors raised by the assistant layer (see knowledge/errors.py for the whole hierarchy)."""
from knowledge.errors import PdbotError


class InputError(PdbotError):
    """The question or command-line input is not acceptable."""


class SlackStartupError(PdbotError):
    """`pdbot slack` cannot start: Slack unreachable, a token rejected or scopes missing."""
