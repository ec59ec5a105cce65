"""Eval reports, baselines, comparisons, thresholds, judged metrics and gaps."""
from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser

from evals.compare import below_thresholds, compare_runs, parse_thresholds
from evals.judge import judge_run
from evals.metrics import breakdown, score_case, summarise
from evals.report import write_report
from evals.runner import EvalRun, load_cases

CASES = [
    {"id": "a", "question": "q1", "history": [], "in_scope": True, "kind": "fact",
     "document": "strategy", "facts": [["three"]], "sources": [["Coaching Offer"]]},
    {"id": "b", "question": "q2", "history": [], "in_scope": False, "kind": "out-of-scope",
     "document": "none", "facts": [], "sources": []},
]


def answer(text, answered=True, section="Coaching Offer"):
    return {"question": "q", "answer": text, "answered": answered, "latency_ms": 5.0,
            "citations": [{"n": 1, "document": "Doc", "date": "", "section": section,
                           "text": "three sessions"}] if answered else []}


def make_run(answers, name="pdbot") -> EvalRun:
    results = [score_case(c, a, [f"{a['citations'][0]['section']}"] if a["citations"] else [])
               for c, a in zip(CASES, answers)]
    return EvalRun(name, CASES, results, answers, summarise(results), breakdown(results, "kind"),
                   breakdown(results, "document"))


def test_known_answers_give_known_scores():
    good = make_run([answer("Heads get three sessions [1]"), answer("not covered", answered=False)])
    assert good.summary["fact_recall"] == 1.0 and good.summary["mrr"] == 1.0
    assert good.summary["citation_validity"] == 1.0 and good.summary["oos_refusal"] == 1.0
    bad = make_run([answer("Heads get some sessions [2]", section="Hubs"), answer("an answer")])
    assert bad.summary["fact_recall"] == 0.0 and bad.summary["source_hit"] == 0.0
    assert bad.summary["mrr"] == 0.0 and bad.summary["citation_validity"] == 0.5
    assert bad.summary["oos_refusal"] == 0.0 and not bad.results[0].passed
    assert bad.by_kind["fact"]["fact_recall"] == 0.0


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_reports_are_written_self_contained_with_failing_cases_first(tmp_path):
    good = make_run([answer("Heads get three sessions [1]"), answer("no", answered=False)])
    naive = make_run([answer("some text"), answer("an answer")], name="naive")
    paths = write_report(tmp_path, [good, naive])
    page = paths["html"].read_text()
    parser = _Collector()
    parser.feed(page)
    assert "svg" in parser.tags and "table" in parser.tags
    assert "src=" not in page and "<link" not in page and "http://" not in page.split("<svg")[0]
    text = " ".join(parser.text)
    assert "fact recall" in text and "1.000" in text and "naive" in text and "not run" in text
    markdown = paths["markdown"].read_text()
    assert markdown.index("| pdbot | naive |") < markdown.index("## Cases")
    data = json.loads(paths["json"].read_text())
    assert [r["system"] for r in data["runs"]] == ["pdbot", "naive"]


def test_the_eval_report_draws_shares_on_0_to_1_in_chromium(tmp_path):
    from tests.browser import chart_problems, measure_page

    good = make_run([answer("Heads get three sessions [1]"), answer("no", answered=False)])
    naive = make_run([answer("some text"), answer("an answer")], name="naive")
    measured = measure_page(write_report(tmp_path, [good, naive])["html"], tmp_path / "browser")
    assert [c["axis"] for c in measured["charts"]] == ["share", "share"]
    assert [p for chart in measured["charts"] for p in chart_problems(chart)] == []
    assert "\ufffd" not in measured["text"]


def test_compare_lists_worse_and_better_cases():
    before = make_run([answer("Heads get three sessions [1]"), answer("no", answered=False)]).to_json()
    after = make_run([answer("Heads get some [1]"), answer("no", answered=False)]).to_json()
    changes = compare_runs(before, after)
    assert [c["case_id"] for c in changes["worse"]] == ["a"] and changes["better"] == []
    assert [c["case_id"] for c in compare_runs(after, before)["better"]] == ["a"]


def test_thresholds():
    spec = parse_thresholds("fact_recall=0.95, source_hit=0.97")
    assert spec == {"fact_recall": 0.95, "source_hit": 0.97}
    assert below_thresholds({"fact_recall": 0.96, "source_hit": 0.9}, spec) == ["source_hit 0.900 < 0.97"]
    assert "no such metric" in below_thresholds({"fact_recall": 1}, {"recall": 0.5})[0]


def test_judged_metrics_with_a_langchain_chat_model():
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    run = make_run([answer("Heads get three sessions [1]"), answer("no", answered=False)])
    judged = judge_run(FakeListChatModel(responses=["0.8", "Relevancy: 1"]), run)
    assert judged["faithfulness"] == 0.8 and judged["relevancy"] == 1.0
    assert set(judged["per_case"]) == {"a"}  # refused answers are not judged


def test_feedback_exports_are_accepted_as_cases(tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_text(json.dumps({"id": "feedback-1", "question": "q", "history": [], "facts": [],
                                "sources": [], "in_scope": True, "kind": "feedback", "note": "x"}) + "\n")
    assert load_cases(path)[0]["question"] == "q"


def test_pdbot_eval_with_baseline_compare_gaps_and_thresholds(built_settings, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [
        {"id": "hlta", "question": "What should an HLTA do next?", "history": [], "in_scope": True,
         "kind": "next-step", "document": "strategy", "facts": [["PGCE"]],
         "sources": [["Transition to Teaching"]]},
        {"id": "pay", "question": "What is the salary of an HLTA?", "history": [],
         "in_scope": False, "kind": "out-of-scope", "document": "none", "facts": [], "sources": []},
    ]) + "\n")
    env = {"PDBOT_DATA_DIR": str(built_settings.data_dir)}

    def pdbot_eval(*args):
        import os

        return subprocess.run([sys.executable, "-m", "assistant.cli", "eval", "--cases", str(cases),
                               *args], capture_output=True, text=True, env={**os.environ, **env},
                              timeout=600)

    first = pdbot_eval("--out", str(tmp_path / "one"), "--baseline", "naive", "--gaps")
    assert first.returncode == 0, first.stderr
    assert "naive" in first.stdout and "What is the salary of an HLTA?" in first.stdout
    assert (tmp_path / "one" / "report.html").exists() and (tmp_path / "one" / "gaps.md").exists()
    second = pdbot_eval("--out", str(tmp_path / "two"), "--compare",
                        str(tmp_path / "one" / "results.json"), "--fail-under", "fact_recall=1.01")
    assert second.returncode == 1
    assert "worse than the previous run: 0" in second.stdout
    assert "below threshold: fact_recall" in second.stderr
