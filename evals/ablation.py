"""The ablation table: the eval set with each component of the answer path switched off in turn
(EngineConfig.without), so every component shows what it earns on unseen questions."""
from __future__ import annotations

from dataclasses import fields

from assistant.answer.config import Components, EngineConfig
from evals.runner import EngineSystem, run_cases

METRICS = (("fact recall", "fact_recall", "{:.3f}"), ("full pass", "full_pass", "{}"),
           ("source hit", "source_hit", "{:.3f}"), ("recall@1", "recall_at_1", "{:.3f}"),
           ("out of scope refused", "oos_refusal", "{:.3f}"),
           ("false refusals", "false_refusals", "{}"),
           ("answer chars median", "answer_chars_median", "{:.0f}"))


def ablate(settings, cases: list[dict], embedder, config: EngineConfig | None = None) -> list[dict]:
    """One row per configuration: everything on, then each component off."""
    from assistant.answer.engine import Engine

    config = config or EngineConfig.load(settings.engine_config)
    rows = []
    for name in ["all on", *(f.name for f in fields(Components))]:
        variant = config if name == "all on" else config.without(name)
        engine = Engine.from_settings(settings, embedder=embedder, config=variant)
        run = run_cases(EngineSystem(engine), cases)
        rows.append({"off": name, **{key: run.summary[key] for _, key, _ in METRICS}})
    return rows


def ablation_lines(rows: list[dict], cases_name: str) -> list[str]:
    """The table as Markdown, each row's change against everything on."""
    base = rows[0]
    lines = [f"Ablation on `{cases_name}`: each component switched off in turn "
             "(`pdbot eval --ablation`).", "",
             "| switched off | " + " | ".join(label for label, _, _ in METRICS) + " |",
             "|---|" + "---|" * len(METRICS)]
    for row in rows:
        cells = []
        for _, key, fmt in METRICS:
            value = fmt.format(row[key])
            if row is not base and row[key] != base[key]:
                delta = row[key] - base[key]
                value += f" ({'+' if delta > 0 else ''}{fmt.format(delta) if isinstance(delta, int) else f'{delta:.3f}'})"
            cells.append(value)
        lines.append(f"| {row['off']} | " + " | ".join(cells) + " |")
    return lines
