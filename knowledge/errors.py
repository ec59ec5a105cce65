"""Errors meant for the user, drawn once here; the base lives in the lowest layer.

PdbotError              everything the package raises on purpose; the CLI prints it, exits 2
├── ConfigError         a setting (environment variable) is missing or malformed   knowledge/
├── DomainDataError     a data file under knowledge/domain is invalid (names file, line)
├── IndexMissingError   no index in the data directory yet (run `pdbot ingest`)
├── DataDirError        the data directory cannot be created or written
├── VectorStoreUnavailable the Chroma server (PDBOT_CHROMA_URL) is unreachable or
│                      another major version
├── EmbeddingModelError the embedding model cannot be exported to ONNX or loaded
├── IngestError         a document that cannot be read or parsed (names the file)  ingest/
├── LockedError         another ingest holds the data directory                    ingest/
├── InputError          a bad question or bad command-line input                   assistant/
├── SlackStartupError   Slack unreachable, a token rejected, scopes missing   assistant/
└── StoreError          the store's database unreachable, or at another schema  assistant/store/
"""


class PdbotError(Exception):
    """Base class: a failure with a message fit to show a user."""


class ConfigError(PdbotError):
    """A setting is missing or malformed."""


class DomainDataError(PdbotError):
    """A domain data file (intents, glossary, topics, columns...) is invalid."""


class IndexMissingError(PdbotError):
    """There is no usable index in the data directory."""


class DataDirError(PdbotError):
    """The data directory cannot be created or written to."""


class VectorStoreUnavailable(PdbotError):
    """The Chroma server holding the vectors cannot be reached or speaks another version."""


class EmbeddingModelError(PdbotError):
    """The embedding model cannot be exported from the installed package, or loaded."""


def network_reason(exc: BaseException) -> str:
    """A failed connection's cause in a few words ("connection refused", "timed out", ...), for
    the one-line start-up messages about Slack and the Chroma server."""
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "timed out"
    return str(reason) or type(reason).__name__
