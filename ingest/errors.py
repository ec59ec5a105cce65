"""Errors raised while ingesting documents (see knowledge/errors.py for the whole hierarchy)."""
from knowledge.errors import PdbotError


class IngestError(PdbotError):
    """A document could not be read or parsed."""


class LockedError(PdbotError):
    """Another ingest is running on the same data directory."""
