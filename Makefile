# One entry point for everything: each target installs what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# The interpreter the venv is made from (PYTHON=python3.14: the asset then ships bytecode).
PYTHON ?= python3
STAMPS := .make
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: help install run test unit integration infra client playground lint format synth bench clean

help:
	@echo "make run    - start the service offline (API :3000, S3/DynamoDB/SQS/EventBridge :3001, Bedrock emulator :3002,"
	@echo "              playground :3003)"
	@echo "make install - the venv with the CDK, the test tools and the imagegen CLI (.venv/bin/imagegen)"
	@echo "make test   - lint and run every test suite with coverage"
	@echo "make synth  - synthesize the CloudFormation template into cdk.out/ (no AWS account needed)"
	@echo "make bench  - measure latency, cold start and throughput offline"
	@echo "make fuzz   - schemathesis against the local run's /openapi.json (started on free ports)"

# What `make run` needs only (requirements-run.txt); the full venv below adds the rest to the same .venv.
$(STAMPS)/venv-run: requirements-run.txt lambda_src/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-run.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/venv: requirements.txt requirements-dev.txt requirements-run.txt lambda_src/requirements.txt \
		requirements-client.txt client/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r requirements-client.txt
	@mkdir -p $(STAMPS) && touch $@ $(STAMPS)/venv-run

# checkov pins an old boto3 and packaging<24, which would break the project's venv: it gets its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
$(STAMPS)/checkov-$(CHECKOV_VERSION):
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	@mkdir -p $(STAMPS) && touch $@

# Debian's Chromium for the playground's browser tests (test tools cannot download their own here);
# Playwright for Python (requirements-dev.txt) drives it.
$(STAMPS)/chromium:
	test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

# The Lambda dependencies as Linux arm64 wheels, so that bundling (synth) needs no network.
$(STAMPS)/wheels: lambda_src/requirements.txt | $(STAMPS)/venv
	$(PY) -m infra.bundling
	@touch $@

install: $(STAMPS)/venv $(STAMPS)/npm $(STAMPS)/wheels

run: $(STAMPS)/venv-run
	$(PY) -m offline

# schemathesis in a venv of its own: its pytest plugins stay out of the project's test runs.
FUZZ_VENV := $(STAMPS)/venv-fuzz
$(STAMPS)/fuzz: requirements-fuzz.txt
	test -x $(FUZZ_VENV)/bin/python || $(PYTHON) -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-fuzz.txt
	@touch $@

# Every check, positive and negative data, the stateful phase; FUZZ_ARGS adds options (e.g. --seed N).
.PHONY: fuzz
fuzz: $(STAMPS)/venv-run $(STAMPS)/fuzz
	$(PY) -m offline.fuzz $(FUZZ_VENV)/bin/st $(FUZZ_ARGS)

lint: $(STAMPS)/venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	cd client && ../$(PY) -m mypy
	PYTHONPATH=lambda_src $(VENV)/bin/lint-imports

format: $(STAMPS)/venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: install lint $(STAMPS)/checkov-$(CHECKOV_VERSION) $(STAMPS)/chromium
	$(PY) -m pytest --cov --cov-report=term --cov-fail-under=90

unit: $(STAMPS)/venv
	$(PY) -m pytest tests/unit

integration: $(STAMPS)/venv
	$(PY) -m pytest tests/integration tests/emulator

client: $(STAMPS)/venv
	$(PY) -m pytest tests/client

playground: $(STAMPS)/venv $(STAMPS)/chromium
	$(PY) -m pytest tests/playground

infra: install $(STAMPS)/checkov-$(CHECKOV_VERSION)
	$(PY) -m pytest tests/infra

synth: install
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npx cdk synth --quiet

bench: $(STAMPS)/venv
	$(PY) -m bench

clean:
	rm -rf $(STAMPS) cdk.out build .pytest_cache .ruff_cache .coverage htmlcov
