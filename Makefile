# Antrian: `make run` serves the demo mall; `make test` runs every check.
# Both set up what they need first: the virtualenv, and (as root, via apt) redis-server and chromium.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test install install-test system-deps lint bench clean

$(VENV)/.runtime: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.test: $(VENV)/.runtime pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

install: $(VENV)/.runtime
install-test: $(VENV)/.test

run: install
	PORT=$(PORT) HOST=$(HOST) $(PY) -m server

# Tests drive a real redis-server and a real headless Chromium; install them when missing.
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Missing$$missing: install them (e.g. sudo apt-get install$$missing) for the browser and Redis tests"; fi; \
	fi

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: install-test system-deps lint
	$(PY) -m pytest -q

bench: install-test
	$(PY) -m bench
	$(PY) -m bench.print_bench

clean:
	rm -rf $(VENV) var artifacts
