"""Check an eval-case JSONL file: fields present, and fact/source phrases found in the documents."""
import html
import json
import re
import sys
from pathlib import Path

KINDS_IN = {"fact", "list", "stage-detail", "next-step", "become", "table", "follow-up",
            "slack-style", "abbreviation", "looks-off-topic", "both-documents", "catalogue",
            "multi-question"}
KINDS_OUT = {"not-stated", "off-topic", "injection"}
DOCS = Path(__file__).resolve().parents[3] / "knowledge" / "documents"
TITLES = "Professional Development Strategy current Professional Development Framework July 2023"


def normalise(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = text.replace("**", "").replace("*", "").replace("#", "")
    text = text.lower().replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    text = text.replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def main(path: str) -> int:
    corpus = normalise(" ".join(p.read_text() for p in sorted(DOCS.glob("*.txt"))) + " " + TITLES)
    problems, kinds, count = [], {}, 0
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        count += 1
        where = f"line {number}"
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc.msg})")
            continue
        for key in ("id", "question", "history", "facts", "sources", "in_scope", "kind", "document"):
            if key not in case:
                problems.append(f"{where}: missing {key}")
        kind = case.get("kind")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind not in KINDS_IN | KINDS_OUT:
            problems.append(f"{where}: unknown kind {kind!r}")
        if case.get("in_scope") is False and (case.get("facts") or case.get("sources")):
            problems.append(f"{where}: out-of-scope cases have no facts or sources")
        if case.get("in_scope") is True and not case.get("facts"):
            problems.append(f"{where}: in-scope case without facts")
        for turn in case.get("history", []):
            if turn.get("role") not in ("user", "assistant") or not isinstance(turn.get("content"), str):
                problems.append(f"{where}: bad history turn {turn!r}")
        for field in ("facts", "sources"):
            for group in case.get(field, []):
                if not isinstance(group, list) or not group:
                    problems.append(f"{where}: {field} groups must be non-empty lists")
                    continue
                for phrase in group:
                    if normalise(phrase) not in corpus:
                        problems.append(f"{where}: {field} phrase not in the documents: {phrase!r}")
    for p in problems:
        print(p)
    print(f"{count} cases; kinds: {dict(sorted(kinds.items(), key=lambda kv: str(kv[0])))}; "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
