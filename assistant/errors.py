"""Errors meant for the user.

PdbotError            everything the package raises on purpose; the CLI prints it, exits non-zero
├── InputError        a bad question or bad command-line input
├── IngestError       a document that cannot be read or parsed (names the file)
├── IndexMissingError no index in the data directory yet (run `pdbot ingest`)
└── LockedError       another ingest holds the data directory
"""


class PdbotError(Exception):
    """Base class: a failure with a message fit to show a user."""


class InputError(PdbotError):
    """The question or command-line input is not acceptable."""


class IngestError(PdbotError):
    """A document could not be read or parsed."""


class IndexMissingError(PdbotError):
    """There is no usable index in the data directory."""


class LockedError(PdbotError):
    """Another ingest is running on the same data directory."""
