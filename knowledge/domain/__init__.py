"""Domain knowledge as data: the files under knowledge/domain, loaded and validated.

What the assistant understands lives in these files, not in code: example messages per intent
(intents.yml), school terms and abbreviations (glossary.yml), uncovered topics and who to ask
(topics.yml), table columns and the words that ask for them (columns.yml), how staff name the
documents (documents.yml), small word lists and exact value shapes (cues.yml) and Slack's
suggested prompts (prompts.yml). Every problem is reported as DomainDataError naming the file
and line.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import DomainDataError

BASE_INTENTS = ("fact", "list", "next_step", "become", "stage_detail", "which_stage",
                "compare_documents", "document_facts", "greeting", "thanks", "instruction_attack")
TOPIC_PREFIX = "topic."
DEFAULT_ANSWER_TYPE = "description"
MIN_EXAMPLES = 8
MAX_PROMPTS = 4
FILES = ("intents.yml", "glossary.yml", "topics.yml", "columns.yml", "documents.yml",
         "cues.yml", "prompts.yml")


def default_domain_dir() -> Path:
    """The reviewed data files shipped in knowledge/domain."""
    return Path(__file__).resolve().parent


@dataclass(frozen=True)
class Term:
    """A glossary entry: the documents' wording and the ways staff write it."""

    term: str
    variants: tuple[str, ...]
    role: bool = False
    unless_next: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    """A subject the documents do not set out, and who to ask about it."""

    key: str
    name: str
    ask: str = ""
    reply: str = ""


@dataclass(frozen=True)
class Aspect:
    """Something asked about a stage or table row, where it is held, and what asks for it."""

    key: str
    asked_by: tuple[str, ...]
    columns: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    summary: bool = False


@dataclass(frozen=True)
class Domain:
    """Everything under knowledge/domain, validated."""

    intents: dict[str, tuple[str, ...]]
    answer_types: dict[str, tuple[str, ...]]
    terms: tuple[Term, ...]
    texting: dict[str, str]
    topics: dict[str, Topic]
    aspects: dict[str, Aspect]
    status_words: dict[str, tuple[str, ...]]
    document_aliases: dict[str, tuple[str, ...]]
    continuations: tuple[str, ...]
    back_references: tuple[str, ...]
    request_starters: tuple[str, ...]
    openers: tuple[str, ...]
    other_organisations: tuple[str, ...]
    own_organisation: tuple[str, ...]
    phases: tuple[str, ...]
    ordinals: dict[str, int]
    become_cues: tuple[str, ...]
    holding_cues: tuple[str, ...]
    here_words: tuple[str, ...]
    exclusion_cues: tuple[str, ...]
    outline_words: tuple[str, ...]
    selective_references: tuple[str, ...]
    auxiliaries: tuple[str, ...]
    subjects: tuple[str, ...]
    evidence: dict[str, tuple[re.Pattern, ...]]
    prompts: tuple[dict, ...]
    digest: str = ""
    folder: Path = field(default_factory=default_domain_dir)

    def examples(self, table: str = "intents") -> list[tuple[str, str]]:
        """(example, label) pairs of the intents or the answer types, in file order."""
        source = self.intents if table == "intents" else self.answer_types
        return [(text, label) for label, texts in source.items() for text in texts]

    def words(self) -> set[str]:
        """Every word of the examples, glossary and word lists: words staff use that a typo
        corrector must leave alone even when no document uses them."""
        texts = [t for texts in self.intents.values() for t in texts]
        texts += [t for texts in self.answer_types.values() for t in texts]
        texts += [v for term in self.terms for v in (term.term, *term.variants)]
        texts += [*self.texting, *self.texting.values(), *self.continuations, *self.openers,
                  *self.back_references, *self.request_starters]
        texts += [w for words in self.status_words.values() for w in words]
        texts += [a for aspect in self.aspects.values() for a in aspect.asked_by]
        return {w for t in texts for w in re.findall(r"[a-z0-9]+", t.lower())}


def load_domain(folder: Path | None = None) -> Domain:
    """Read and validate every data file in `folder` (default: knowledge/domain)."""
    folder = folder or default_domain_dir()
    readers = {name: _Reader(folder / name) for name in FILES}
    topics = _topics(readers["topics.yml"])
    intents, answer_types = _intents(readers["intents.yml"], set(topics))
    terms, texting = _glossary(readers["glossary.yml"])
    cues = readers["cues.yml"]
    root = cues.mapping(cues.root, "cues.yml")
    documents = readers["documents.yml"]
    doc_root = documents.mapping(documents.root, "documents.yml")
    return Domain(
        intents=intents, answer_types=answer_types, terms=terms, texting=texting, topics=topics,
        aspects=_aspects(readers["columns.yml"]),
        status_words={k: tuple(documents.strings(v, k)) for k, v in
                      documents.mapping(documents.need(doc_root, "status_words", documents.root),
                                        "status_words").items()},
        document_aliases={k: tuple(documents.strings(v, k)) for k, v in
                          documents.mapping(documents.need(doc_root, "aliases", documents.root),
                                            "aliases").items()},
        continuations=tuple(cues.strings(cues.need(root, "continuations", cues.root), "continuations")),
        back_references=tuple(cues.strings(cues.need(root, "back_references", cues.root),
                                           "back_references")),
        request_starters=tuple(cues.strings(cues.need(root, "request_starters", cues.root),
                                            "request_starters")),
        openers=tuple(cues.strings(cues.need(root, "openers", cues.root), "openers")),
        other_organisations=tuple(cues.strings(cues.need(root, "other_organisations", cues.root),
                                               "other_organisations")),
        own_organisation=tuple(cues.strings(cues.need(root, "own_organisation", cues.root),
                                            "own_organisation")),
        phases=tuple(cues.strings(cues.need(root, "phases", cues.root), "phases")),
        ordinals=_ordinals(cues, cues.need(root, "ordinals", cues.root)),
        become_cues=tuple(cues.strings(cues.need(root, "become_cues", cues.root), "become_cues")),
        holding_cues=tuple(cues.strings(cues.need(root, "holding_cues", cues.root), "holding_cues")),
        here_words=tuple(cues.strings(cues.need(root, "here_words", cues.root), "here_words")),
        exclusion_cues=tuple(cues.strings(cues.need(root, "exclusion_cues", cues.root),
                                          "exclusion_cues")),
        outline_words=tuple(cues.strings(cues.need(root, "outline_words", cues.root),
                                         "outline_words")),
        selective_references=tuple(cues.strings(cues.need(root, "selective_references", cues.root),
                                                "selective_references")),
        auxiliaries=tuple(cues.strings(cues.need(root, "auxiliaries", cues.root), "auxiliaries")),
        subjects=tuple(cues.strings(cues.need(root, "subjects", cues.root), "subjects")),
        evidence=_evidence(cues, cues.need(root, "evidence", cues.root), set(answer_types)),
        prompts=_prompts(readers["prompts.yml"]),
        digest=hashlib.sha1(b"".join(r.raw for r in readers.values())).hexdigest()[:16],
        folder=folder,
    )


def _compose(text: str):
    """The YAML node tree, parsed by libyaml when PyYAML has it (the same nodes and lines, 20x
    faster: ~80 ms of every start); a file it rejects is parsed again by the pure-Python parser,
    so the error quotes the same words as ever."""
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text)


class _Reader:
    """One YAML file as nodes, so that every value can be reported with its line."""

    def __init__(self, path: Path):
        import yaml

        self.path = path
        try:
            self.raw = path.read_bytes()
        except OSError as exc:
            raise DomainDataError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
        try:
            self.root = _compose(self.raw.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark else str(path)
            raise DomainDataError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)}).") from exc
        if self.root is None:
            raise DomainDataError(f"{path}:1: the file is empty.")

    def fail(self, node, message: str):
        line = node.start_mark.line + 1 if node is not None else 1
        raise DomainDataError(f"{self.path}:{line}: {message}")

    def mapping(self, node, what: str) -> dict:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of names to values.")
        out = {}
        for key, value in node.value:
            name = str(key.value).strip()
            if name in out:
                self.fail(key, f"{name!r} appears twice in {what}.")
            out[name] = value
        return out

    def need(self, mapping: dict, key: str, parent):
        if key not in mapping:
            self.fail(parent, f"missing {key!r}.")
        return mapping[key]

    def string(self, node, what: str) -> str:
        import yaml

        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.fail(node, f"{what} must be non-empty text.")
        return str(node.value).strip()

    def strings(self, node, what: str, minimum: int = 1) -> list[str]:
        import yaml

        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list.")
        values = [self.string(item, f"each item of {what}") for item in node.value]
        if len(values) < minimum:
            self.fail(node, f"{what} needs at least {minimum} items (has {len(values)}).")
        return values

    def boolean(self, node, what: str) -> bool:
        value = str(getattr(node, "value", "")).lower()
        if value not in ("true", "false"):
            self.fail(node, f"{what} must be true or false.")
        return value == "true"


def _intents(reader: _Reader, topics: set[str]) -> tuple[dict, dict]:
    root = reader.mapping(reader.root, "intents.yml")
    intents = {}
    seen: dict[str, str] = {}
    for name, node in reader.mapping(reader.need(root, "intents", reader.root), "intents").items():
        topic = name[len(TOPIC_PREFIX):] if name.startswith(TOPIC_PREFIX) else None
        if name not in BASE_INTENTS and topic is None:
            reader.fail(node, f"unknown intent {name!r} (known: {', '.join(BASE_INTENTS)}, "
                              f"and topic.<name> for a topic in topics.yml).")
        if topic is not None and topic not in topics:
            reader.fail(node, f"intent {name!r} has no topic {topic!r} in topics.yml.")
        examples = reader.strings(node, f"intent {name!r}", MIN_EXAMPLES)
        for item, text in zip(node.value, examples):
            key = " ".join(text.lower().split())
            if key in seen:
                reader.fail(item, f"example {text!r} is listed under both {seen[key]!r} and {name!r}.")
            seen[key] = name
        intents[name] = tuple(examples)
    missing = [i for i in BASE_INTENTS if i not in intents]
    if missing:
        reader.fail(reader.root, f"intents without examples: {', '.join(missing)}.")
    answer_types = {name: tuple(reader.strings(node, f"answer type {name!r}", 5))
                    for name, node in reader.mapping(reader.need(root, "answer_types", reader.root),
                                                     "answer_types").items()}
    if DEFAULT_ANSWER_TYPE not in answer_types:
        reader.fail(reader.root, f"answer_types needs a {DEFAULT_ANSWER_TYPE!r} list.")
    return intents, answer_types


def _glossary(reader: _Reader) -> tuple[tuple[Term, ...], dict[str, str]]:
    root = reader.mapping(reader.root, "glossary.yml")
    terms = []
    node = reader.need(root, "terms", reader.root)
    for entry in getattr(node, "value", []):
        fields = reader.mapping(entry, "a glossary entry")
        unknown = set(fields) - {"term", "variants", "role", "unless_next", "note"}
        if unknown:
            reader.fail(entry, f"unknown field(s) {', '.join(sorted(unknown))} in a glossary entry.")
        terms.append(Term(
            term=reader.string(reader.need(fields, "term", entry), "term"),
            variants=tuple(reader.strings(reader.need(fields, "variants", entry), "variants")),
            role=reader.boolean(fields["role"], "role") if "role" in fields else False,
            unless_next=tuple(reader.strings(fields["unless_next"], "unless_next"))
            if "unless_next" in fields else ()))
    texting = {k.lower(): reader.string(v, f"texting {k!r}") for k, v in
               reader.mapping(root.get("texting") or reader.root, "texting").items()} \
        if "texting" in root else {}
    return tuple(terms), texting


def _topics(reader: _Reader) -> dict[str, Topic]:
    root = reader.mapping(reader.root, "topics.yml")
    topics = {}
    for key, node in reader.mapping(reader.need(root, "topics", reader.root), "topics").items():
        fields = reader.mapping(node, f"topic {key!r}")
        unknown = set(fields) - {"name", "ask", "reply"}
        if unknown:
            reader.fail(node, f"unknown field(s) {', '.join(sorted(unknown))} in topic {key!r}.")
        ask = fields.get("ask")
        topics[key] = Topic(key=key, name=reader.string(reader.need(fields, "name", node), "name"),
                            ask=str(ask.value).strip() if ask is not None else "",
                            reply=reader.string(fields["reply"], "reply") if "reply" in fields else "")
    return topics


def _aspects(reader: _Reader) -> dict[str, Aspect]:
    root = reader.mapping(reader.root, "columns.yml")
    aspects = {}
    for key, node in reader.mapping(reader.need(root, "aspects", reader.root), "aspects").items():
        fields = reader.mapping(node, f"aspect {key!r}")
        unknown = set(fields) - {"columns", "labels", "asked_by", "summary"}
        if unknown:
            reader.fail(node, f"unknown field(s) {', '.join(sorted(unknown))} in aspect {key!r}.")
        columns = tuple(reader.strings(fields["columns"], "columns")) if "columns" in fields else ()
        labels = tuple(reader.strings(fields["labels"], "labels")) if "labels" in fields else ()
        if not columns and not labels:
            reader.fail(node, f"aspect {key!r} needs `columns` or `labels`.")
        aspects[key] = Aspect(key=key, columns=columns, labels=labels,
                              asked_by=tuple(reader.strings(reader.need(fields, "asked_by", node),
                                                            "asked_by")),
                              summary=reader.boolean(fields["summary"], "summary")
                              if "summary" in fields else False)
    return aspects


def _evidence(reader: _Reader, node, answer_types: set[str]) -> dict[str, tuple[re.Pattern, ...]]:
    out = {}
    for name, patterns in reader.mapping(node, "evidence").items():
        if name not in answer_types:
            reader.fail(patterns, f"evidence for {name!r}, which is not an answer type in intents.yml.")
        compiled = []
        for item in patterns.value:
            text = reader.string(item, "a pattern")
            try:
                compiled.append(re.compile(text, re.IGNORECASE))
            except re.error as exc:
                reader.fail(item, f"bad regular expression {text!r} ({exc}).")
        out[name] = tuple(compiled)
    return out


def _ordinals(reader: _Reader, node) -> dict[str, int]:
    out = {}
    for word, value in reader.mapping(node, "ordinals").items():
        text = reader.string(value, f"ordinal {word!r}")
        if not text.lstrip("-").isdigit():
            reader.fail(value, f"ordinal {word!r} must be a whole number (0 for the middle).")
        out[word.lower()] = int(text)
    return out


def _prompts(reader: _Reader) -> tuple[dict, ...]:
    root = reader.mapping(reader.root, "prompts.yml")
    node = reader.need(root, "prompts", reader.root)
    prompts = []
    for entry in getattr(node, "value", []):
        fields = reader.mapping(entry, "a prompt")
        prompts.append({"title": reader.string(reader.need(fields, "title", entry), "title"),
                        "message": reader.string(reader.need(fields, "message", entry), "message")})
    if not 1 <= len(prompts) <= MAX_PROMPTS:
        reader.fail(node, f"prompts needs 1 to {MAX_PROMPTS} entries (Slack shows at most "
                          f"{MAX_PROMPTS}).")
    return tuple(prompts)
