# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PY310 ?= $(shell scripts/find-python 3.10)
PY311 ?= $(shell scripts/find-python 3.11)
APP := .venv/.installed
RASA_ENV := .venv-rasa/.installed
MODEL := models/wismo.tar.gz
RASA_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') $(wildcard bot/nlu/*.py)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test eval bench install model demo lint validate unit integration conversations clean

run: $(APP) $(RASA_ENV) $(MODEL) ## start the whole stack on the embedded default
	.venv/bin/wismo demo --load
	.venv/bin/honcho start -f Procfile

test: $(APP) $(RASA_ENV) $(MODEL) lint validate ## every test, as CI runs it
	.venv/bin/pytest -q -p no:cacheprovider

eval: $(APP) $(RASA_ENV) $(MODEL) ## NLU quality on the held-out set, against Rasa's default pipeline
	.venv/bin/python -m bot.bench.evaluate $(EVAL_ARGS)

bench: $(APP) $(RASA_ENV) $(MODEL) ## speed, memory and cost, against a stock `rasa init` bot
	.venv/bin/python -m bot.bench.run $(BENCH_ARGS)

install: $(APP) $(RASA_ENV)

$(APP): requirements/app.lock pyproject.toml
	test -x .venv/bin/python || $(PY311) -m venv .venv
	.venv/bin/pip install -q -r requirements/app.lock
	.venv/bin/pip install -q --no-deps -e .
	touch $@

$(RASA_ENV): requirements/rasa.lock
	test -x .venv-rasa/bin/python || $(PY310) -m venv .venv-rasa
	.venv-rasa/bin/pip install -q -r requirements/rasa.lock
	touch $@

model: $(MODEL)
$(MODEL): $(RASA_ENV) $(RASA_INPUTS)
	.venv-rasa/bin/rasa train --fixed-model-name wismo --out models --quiet
	touch $@

validate: $(RASA_ENV) ## Rasa's own data checks; any warning about our data fails
	@mkdir -p var
	.venv-rasa/bin/rasa data validate --fail-on-warnings > var/validate.log 2>&1 || { cat var/validate.log; exit 1; }
	@# Rasa 3.6 merges each retrieval intent of the NLU data into the domain and then
	@# reports it as a duplicate of the domain's own entry; that one message is not ours.
	@if grep -E "UserWarning|WARNING" var/validate.log | grep -v "duplicated intents have been found across multiple domain files: faq$$"; \
	  then echo "rasa data validate warned (above)"; exit 1; fi
	@echo "rasa data validate: no warnings"

lint: $(APP)
	.venv/bin/ruff check bot actions tests
	.venv/bin/mypy
	.venv/bin/lint-imports

demo: $(APP) ## load the demo orders into the configured database
	.venv/bin/wismo demo --load

clean:
	rm -rf .venv .venv-rasa models/*.tar.gz var .pytest_cache .mypy_cache .ruff_cache
