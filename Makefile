# The two quickstart commands: `make run` (set up, ingest if needed, answer a question) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUESTION ?= What should an HLTA do next?

.PHONY: run test install ingest eval bench clean

$(BIN)/pdbot: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: the CPU build on disk; an unpinned torch pulls several GB.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/pdbot

install: $(BIN)/pdbot

run: install
	$(BIN)/pdbot ingest --if-needed
	$(BIN)/pdbot ask "$(QUESTION)"

test: install
	$(BIN)/pytest -q

ingest: install
	$(BIN)/pdbot ingest

eval: install
	$(BIN)/pdbot eval

bench: install
	$(BIN)/pdbot bench

clean:
	rm -rf .pdbot .pytest_cache
