"""Eval metrics on hand-made answers: known answers give known scores."""
from evals.metrics import group_met, percentile, score_case, summarise

CASE = {"id": "c1", "question": "q", "history": [], "in_scope": True, "kind": "fact",
        "facts": [["three sessions", "3 sessions"], ["subscription"]],
        "sources": [["Coaching Offer"]]}
OOS = {"id": "c2", "question": "pay?", "history": [], "in_scope": False, "kind": "out-of-scope",
       "facts": [], "sources": []}


def answer(text, answered=True, sections=("Leadership › Coaching Offer",), latency=10.0):
    return {"question": "q", "answer": text, "answered": answered, "latency_ms": latency,
            "citations": [{"n": 1, "document": "Doc", "date": "", "section": s, "text": "t"}
                          for s in sections]}


def test_group_matching_folds_case_dashes_and_spaces():
    assert group_met(["Transition to Teaching – Becoming"], "transition to teaching - becoming")
    assert not group_met(["NPQH"], "NPQSL only")


def test_a_perfect_answer_scores_full_marks():
    result = score_case(CASE, answer("Heads get THREE sessions via the subscription."))
    assert (result.facts_met, result.sources_met, result.passed) == (2, 1, True)


def test_a_partial_answer_and_a_wrong_source():
    result = score_case(CASE, answer("3 sessions.", sections=("Hubs",)))
    assert (result.facts_met, result.facts_total, result.sources_met) == (1, 2, 0)
    assert result.missed_facts == [["subscription"]] and not result.passed


def test_refusals_count_for_out_of_scope_and_against_in_scope():
    results = [score_case(CASE, answer("not covered", answered=False, sections=())),
               score_case(OOS, answer("not covered", answered=False, sections=(), latency=30.0)),
               score_case(CASE, answer("three sessions, subscription", latency=20.0))]
    summary = summarise(results)
    assert summary["false_refusals"] == 1
    assert summary["oos_refusal"] == 1.0
    assert summary["fact_recall"] == 2 / 4
    assert summary["full_pass"] == 1
    assert summary["latency_ms_p50"] == 20.0


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([], 95) == 0.0


def test_evaluate_runs_a_case_file_through_the_engine(engine, tmp_path):
    import json

    from evals.runner import evaluate

    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [
        {**CASE, "question": "How many coaching sessions do headteachers get each year?",
         "facts": [["three individual coaching sessions"]], "sources": [["Coaching Offer"]]},
        {**OOS, "question": "What is the salary of an HLTA?"},
    ]) + "\n")
    run = evaluate(engine, cases)
    assert (run.summary["cases"], run.summary["full_pass"], run.summary["oos_refusal"]) == (2, 1, 1.0)
    assert run.answers[0]["citations"]
    assert run.results[0].source_rank == 1 and run.summary["mrr"] == 1.0
    assert set(run.by_kind) == {"fact", "out-of-scope"}
