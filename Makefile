# The two quickstart commands: `make run` (set up, ingest if needed, answer a question) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUESTION ?= What should an HLTA do next?

.PHONY: run test install ingest eval eval-check eval-editions bench clean
THRESHOLDS ?= fact_recall=0.93,source_hit=0.96,oos_refusal=1.0,citation_validity=1.0
# Blind round 1 (evals/blind): overall, and for every kind of question in it.
BLIND_THRESHOLDS ?= fact_recall=0.90,source_hit=0.95,oos_refusal=1.0,citation_validity=1.0
BLIND_KIND_THRESHOLDS ?= fact_recall=0.70,source_hit=0.80,oos_refusal=1.0
MAX_FLIPS ?= 0.05
# Blind round 4's training writers (evals/blind): written as staff type; the ranker is trained on
# them, so this gate keeps what was reached (0.879 / 0.934), it does not measure it afresh.
ROUND4_THRESHOLDS ?= fact_recall=0.86,source_hit=0.92,oos_refusal=0.85,citation_validity=1.0
ROUND4_KIND_THRESHOLDS ?= fact_recall=0.70,source_hit=0.70,oos_refusal=0.80

$(BIN)/pdbot: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: the CPU build on disk; an unpinned torch pulls several GB.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/pdbot

install: $(BIN)/pdbot

run: install
	$(BIN)/pdbot ingest
	$(BIN)/pdbot ask "$(QUESTION)"

test: install
	$(BIN)/pytest -q

ingest: install
	$(BIN)/pdbot ingest

eval: install
	$(BIN)/pdbot ingest
	$(BIN)/pdbot eval --baseline naive

# Every real-tool edition of the documents (tests/fixtures/real, but not broken/) scored
# beside the text edition; exits non-zero when one loses more than 0.03 of fact recall.
EDITIONS := $(patsubst %/,%,$(filter-out tests/fixtures/real/broken/,$(wildcard tests/fixtures/real/*/)))
MAX_DROP ?= fact_recall=0.03

eval-editions: install
	$(BIN)/pdbot eval --documents $(EDITIONS) --max-drop $(MAX_DROP) --out eval-report/editions

# The project's own quality bar, run by CI: exits non-zero when a metric falls below it.
eval-check: install eval-editions
	$(BIN)/pdbot ingest
	$(BIN)/pdbot eval --out eval-report/cases --fail-under $(THRESHOLDS) --perturb --max-flips $(MAX_FLIPS)
	$(BIN)/pdbot eval --cases evals/conversations.jsonl --out eval-report/conversations --fail-under $(THRESHOLDS)
	$(BIN)/pdbot eval --cases evals/blind/round-1.jsonl --out eval-report/blind-round-1 \
		--fail-under $(BLIND_THRESHOLDS) --fail-under-per-kind $(BLIND_KIND_THRESHOLDS) \
		--perturb --max-flips $(MAX_FLIPS)
	$(BIN)/pdbot eval --cases evals/blind/round-4-train.jsonl --out eval-report/blind-round-4-train \
		--fail-under $(ROUND4_THRESHOLDS) --fail-under-per-kind $(ROUND4_KIND_THRESHOLDS)

bench: install
	$(BIN)/pdbot bench

clean:
	rm -rf .pdbot .pytest_cache eval-report
