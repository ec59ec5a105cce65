"""How well the assistant reads questions, apart from whole answers: the intent classifier's
cross-validated accuracy on the domain data's examples, per intent, with its main confusions
(as `rasa test nlu` reports for an NLU model)."""
from __future__ import annotations


def classifier_report(engine, folds: int = 5) -> dict:
    """Stratified k-fold accuracy of the intent classifier the engine trained at start-up."""
    from assistant.answer.intents import cross_validate

    texts, vectors, labels = engine.training
    config = engine.config.understanding
    result = cross_validate(texts, vectors, labels, config.dense_weight, config.regularisation,
                            folds=folds)
    return {"accuracy": result.accuracy, "examples": result.examples, "folds": result.folds,
            "recall": {k: {"recall": r, "examples": n} for k, (r, n) in result.recall.items()},
            "confusions": [{"intent": t, "read_as": p, "examples": n} for t, p, n in result.confusions]}


def report_lines(report: dict) -> list[str]:
    """The classifier report as Markdown lines."""
    lines = [f"Intent classifier: {report['accuracy']:.3f} accuracy, {report['folds']}-fold "
             f"cross-validated over {report['examples']} examples (knowledge/domain/intents.yml).",
             "", "| intent | examples | recall |", "|---|---|---|"]
    lines += [f"| {k} | {v['examples']} | {v['recall']:.2f} |" for k, v in report["recall"].items()]
    if report["confusions"]:
        lines += ["", "Most frequent confusions: " + "; ".join(
            f"{c['intent']} read as {c['read_as']} ({c['examples']})" for c in report["confusions"][:6])]
    return lines
