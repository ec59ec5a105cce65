"""Settings, read once from the environment and passed down; nothing else reads os.environ."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from knowledge.errors import ConfigError

MAX_QUESTION_CHARS = 2000
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def default_documents_dir() -> Path:
    """The documents shipped in knowledge/documents."""
    return Path(__file__).resolve().parent / "documents"


def default_domain_dir() -> Path:
    """The reviewed domain data shipped in knowledge/domain."""
    return Path(__file__).resolve().parent / "domain"


def default_ranker_path() -> Path:
    """The section ranker trained from the question bank (`pdbot train-ranker`)."""
    return Path(__file__).resolve().parent / "ranking" / "section_ranker.json"


@dataclass(frozen=True)
class Settings:
    """Everything configurable: data directory, documents, domain data, retrieval sizes,
    optional LLM."""

    data_dir: Path = Path(".pdbot")
    documents_dir: Path = field(default_factory=default_documents_dir)
    domain_dir: Path = field(default_factory=default_domain_dir)
    ranker_path: Path = field(default_factory=default_ranker_path)
    engine_config: Path | None = None  # a JSON file of engine settings that differ from defaults
    chroma_url: str | None = None
    llm: str | None = None
    llm_base_url: str | None = None
    llm_timeout: float = 30.0
    top_k: int = 8
    max_question_chars: int = MAX_QUESTION_CHARS
    keep_versions: int = 5  # published index versions kept on disk, with their source files
    retention_days: int = 90  # Slack answers and votes older than this are deleted
    store_questions: bool = True  # False: keep only votes, reasons and outcomes, no staff text
    log_level: str | None = None  # DEBUG, INFO, WARNING...; None: the command's default
    log_format: str = "text"  # or "json": one JSON object per line
    database_url: str | None = None  # the Slack app's store; None: SQLite in data_dir
    models_dir: Path | None = None  # the exported embedding model; None: <data_dir>/models

    def models_folder(self) -> Path:
        """Where the embedding model exported to ONNX is kept (PDBOT_MODELS_DIR, or the data
        directory's models/ folder)."""
        return self.models_dir or self.data_dir / "models"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from PDBOT_* environment variables."""
        env = os.environ if env is None else env
        return cls(
            data_dir=Path(env.get("PDBOT_DATA_DIR") or ".pdbot"),
            documents_dir=Path(env["PDBOT_DOCUMENTS_DIR"]) if env.get("PDBOT_DOCUMENTS_DIR")
            else default_documents_dir(),
            domain_dir=Path(env["PDBOT_DOMAIN_DIR"]) if env.get("PDBOT_DOMAIN_DIR")
            else default_domain_dir(),
            ranker_path=Path(env["PDBOT_RANKER"]) if env.get("PDBOT_RANKER")
            else default_ranker_path(),
            engine_config=Path(env["PDBOT_ENGINE_CONFIG"]) if env.get("PDBOT_ENGINE_CONFIG")
            else None,
            chroma_url=env.get("PDBOT_CHROMA_URL") or None,
            llm=env.get("PDBOT_LLM") or None,
            llm_base_url=env.get("PDBOT_LLM_BASE_URL") or None,
            llm_timeout=float(_positive_int(env, "PDBOT_LLM_TIMEOUT", 30)),
            top_k=_positive_int(env, "PDBOT_TOP_K", 8),
            keep_versions=_positive_int(env, "PDBOT_KEEP_VERSIONS", 5),
            retention_days=_positive_int(env, "PDBOT_RETENTION_DAYS", 90),
            store_questions=_flag(env, "PDBOT_STORE_QUESTIONS", True),
            log_level=_choice(env, "PDBOT_LOG_LEVEL", LOG_LEVELS),
            log_format=_choice(env, "PDBOT_LOG_FORMAT", ("text", "json")) or "text",
            database_url=_database_url(env),
            models_dir=Path(env["PDBOT_MODELS_DIR"]) if env.get("PDBOT_MODELS_DIR") else None,
        )


def _database_url(env: Mapping[str, str]) -> str | None:
    """PDBOT_DATABASE_URL: a postgresql:// (or sqlite:///) URL; ConfigError otherwise."""
    raw = (env.get("PDBOT_DATABASE_URL") or "").strip()
    if not raw:
        return None
    if not raw.startswith(("postgresql://", "postgresql+psycopg://", "postgres://", "sqlite:///")):
        raise ConfigError("PDBOT_DATABASE_URL must be a URL like "
                          "postgresql://user:password@host:5432/pdbot (or sqlite:///path).")
    return raw


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    """An integer setting; ConfigError naming the variable when it is not a positive integer."""
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a positive whole number, not {raw!r}.")
    return int(raw)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no setting (1/0, true/false, yes/no, on/off); ConfigError naming it otherwise."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {raw!r}.")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    """One of `choices` (case-insensitive), or None when unset; ConfigError otherwise."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}.")
