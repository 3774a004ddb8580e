# sfnc developer tasks. `make demo` and `make test` work on a fresh machine (they create .venv).
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
SFNC    := $(BIN)/sfnc
STAMP   := $(VENV)/.installed

.PHONY: demo test venv render check bench clean docs

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# bytecode for the editable sources (pip compiles a normal install itself); without it, and with
	# PYTHONDONTWRITEBYTECODE set, every sfnc run recompiles sfnc's modules (bench/run.py measures both)
	$(BIN)/python -m compileall -q src > /dev/null
	touch $(STAMP)

venv: $(STAMP)

## The main job on the bundled templates: render every env, validate, deploy to a local moto server.
demo: $(STAMP)
	@if [ -x scripts/demo.sh ]; then scripts/demo.sh; else \
	  $(SFNC) render --all-envs && $(SFNC) validate; fi

## The test suite (CI runs exactly this).
test: $(STAMP)
	$(BIN)/python -m pytest

render: $(STAMP)
	$(SFNC) render --all-envs

## What CI checks besides tests: committed definitions and generated docs are fresh.
check: $(STAMP)
	$(SFNC) render --all-envs --check
	$(SFNC) graph --docs --check
	$(SFNC) rules --format md | diff -u docs/rules.md -
	diff -u src/sfn_compiler/schemas/env.schema.json schemas/env.schema.json

## Regenerate everything derived from templates and rules.
docs: $(STAMP)
	$(SFNC) render --all-envs
	$(SFNC) graph --docs
	$(SFNC) rules --format md > docs/rules.md
	cp src/sfn_compiler/schemas/env.schema.json schemas/env.schema.json

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist src/*.egg-info
