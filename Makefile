# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := data/demo.db

.PHONY: demo test install install-test system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python system-packages
	$(BIN)/pip install -q -e '.[test,bench]'

# Chromium for the view tests; Java 17 and Maven run the Neo4j test server.
system-packages:
	@command -v chromium >/dev/null && command -v mvn >/dev/null && command -v java >/dev/null || \
	  { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium maven openjdk-17-jdk-headless; }

# Install, load the Enron demo into the embedded store, print an admin key, serve on 127.0.0.1:8000.
demo: install
	SGRAPH_STORE=sqlite:///$(DEMO_DB) $(BIN)/sgraph demo
	@SGRAPH_STORE=sqlite:///$(DEMO_DB) $(BIN)/sgraph keys create --user demo --scope admin
	SGRAPH_STORE=sqlite:///$(DEMO_DB) $(BIN)/sgraph serve

# Everything the tests need (Python packages, Chromium, the Neo4j test server), then every test.
test: install-test
	CI=$${CI:-true} $(BIN)/python -m pytest
