"""Gaps for document owners: questions, from feedback and the eval set, the documents don't answer."""
from __future__ import annotations


def find_gaps(engine, cases: list[dict], feedback_votes: list[dict]) -> list[dict]:
    """Questions the engine declines to answer, with where they came from; each listed once."""
    from assistant.batch import answer_request

    asked = [("eval set", c["question"], c.get("history", [])) for c in cases]
    asked += [("feedback", v["question"], v.get("history", [])) for v in feedback_votes]
    gaps, seen = [], set()
    for origin, question, history in asked:
        key = question.strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        answer = answer_request(engine, {"question": question, "history": history})
        if not answer["answered"]:
            gaps.append({"from": origin, "question": question,
                         "reply": answer.get("error") or answer["answer"].split(". ")[0] + "."})
    return gaps


def gaps_markdown(gaps: list[dict]) -> str:
    """The gaps as a Markdown list for the people who write the next framework."""
    lines = ["# Questions the documents do not answer", ""]
    lines += [f"- ({g['from']}) {g['question']} — _{g['reply']}_" for g in gaps]
    return "\n".join(lines) + "\n"
