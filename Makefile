# The two commands of the README: `make run` and `make test`. Everything else is set-up.
SHELL := /bin/bash
PY := .venv/bin/python
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup python frontend sandbox bubblewrap services lint bench

setup: python frontend sandbox

python: .venv/.installed
.venv/.installed: pyproject.toml uv.lock
	test -x .tools/bin/uv || (python3 -m venv .tools && .tools/bin/pip install -q uv==$(UV_VERSION))
	.tools/bin/uv sync --frozen --quiet
	touch $@

# The code sandbox: bubblewrap and Debian's python3 from Debian, and the packages runs may
# import (pinned, hashed) installed read-only into .sandbox/ for Debian's python3.
sandbox: bubblewrap .sandbox/.installed
bubblewrap:
	@command -v bwrap >/dev/null && test -x /usr/bin/python3 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap python3 >/dev/null)
.sandbox/.installed: runner/sandbox-requirements.txt | python bubblewrap
	if [ -d .sandbox/site-packages ]; then chmod -R u+w .sandbox/site-packages && rm -rf .sandbox/site-packages; fi
	.tools/bin/uv pip install --quiet --target .sandbox/site-packages --python /usr/bin/python3 --require-hashes --no-deps --compile-bytecode -r runner/sandbox-requirements.txt
	chmod -R a+rX,a-w .sandbox/site-packages
	touch $@

frontend: frontend/dist/.vite/manifest.json
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@
frontend/dist/.vite/manifest.json: frontend/node_modules/.installed $(shell find frontend/src frontend/index.html frontend/vite.config.ts -type f 2>/dev/null)
	cd frontend && npm run build --silent

# Seat links and the websocket origin check follow the address served, unless PUBLIC_URL says
# otherwise (set it to the address people open, e.g. behind a proxy or with HOST=0.0.0.0).
run: export PUBLIC_URL ?= http://$(HOST):$(PORT)
run: setup
	@if [ -z "$$DATABASE_URL" ] || [ -z "$$REDIS_URL" ]; then \
	  echo "DATABASE_URL/REDIS_URL unset: serving from the embedded default (SQLite under .data/, in-process channel layer, one process)."; fi
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_questions
	$(PY) manage.py sandbox_sql_setup
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Create a room: $(PY) manage.py create_room --interviewer alice"
	@echo "Serving on http://$(HOST):$(PORT)/ (pages and websockets for $$PUBLIC_URL)"
	exec $(PY) -m config.serve --bind $(HOST) --port $(PORT)

# Tests always run against a real PostgreSQL and Redis (defaults: the local ones).
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/interview_room
test: export REDIS_URL ?= redis://127.0.0.1:6379/0
test: setup
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null)
	cd frontend && npm test --silent
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) -m pytest $(PYTEST_ARGS)

lint: python
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
