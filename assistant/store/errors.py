"""Errors of the store (part of the tree drawn in knowledge/errors.py)."""
from knowledge.errors import PdbotError


class StoreError(PdbotError):
    """The store cannot be used: unreachable, or at another schema than this pdbot's."""
