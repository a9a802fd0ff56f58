# Local commands. Nothing here needs Docker: scripts/stack.sh runs Kafka and PostgreSQL from this checkout.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv/bin
STACK := scripts/stack.sh

.PHONY: help install up down status test lint typecheck schemas asyncapi token demo rebuild-reporting chaos restart backup restore bench

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install:  ## create .venv with pinned packages and fetch the Kafka jars
	@$(STACK) install

up:  ## start PostgreSQL, Kafka and every service in the background (idempotent)
	@$(STACK) up

down:  ## stop exactly what `make up` started
	@$(STACK) down

status:  ## show what is running
	@$(STACK) status

test: up  ## install what is missing, start the stack, run lint, types and the whole test suite
	@scripts/run-tests.sh

chaos:  ## the fault suite at full length on a private stack (tests/faults), report in .run/chaos-report.md
	@$(STACK) install && $(VENV)/python -m tests.faults $(CHAOS_ARGS)

restart:  ## rolling restart of every service (or SVC=name), no partition moves to another replica
	@$(STACK) restart $(SVC)

backup:  ## cds-platform backup into BACKUP_DIR (default backups/<UTC time>)
	@$(VENV)/cds-platform backup "$${BACKUP_DIR:-backups/$$(date -u +%Y%m%dT%H%M%SZ)}"

restore:  ## wipe the local stack, restore BACKUP_DIR onto it, start the services
	@test -n "$(BACKUP_DIR)" || { echo "usage: make restore BACKUP_DIR=backups/<folder>" >&2; exit 2; }
	@$(STACK) reset && $(STACK) infra && $(VENV)/cds-platform restore "$(BACKUP_DIR)" && $(STACK) up

lint:  ## ruff, ruff format and the architecture contracts (import-linter, pyproject.toml)
	@$(VENV)/ruff check . && $(VENV)/ruff format --check . && $(VENV)/lint-imports --no-cache

typecheck:  ## mypy (strict) on the packages
	@$(VENV)/mypy shared/contracts/src shared/plumbing/src services/*/src demo scripts bench conftest.py tests shared/*/tests services/*/tests

schemas:  ## rewrite the committed JSON Schemas of the event contracts
	@$(VENV)/python -m cds_contracts.schemas

asyncapi:  ## rewrite docs/asyncapi/*.json (AsyncAPI 3.0 per service) and docs/events.md from the code
	@$(VENV)/python -m scripts.asyncapi_docs

token:  ## print a bearer token: make token [ROLE=province_admin|unit_editor|viewer] [UNIT=code]
	@$(STACK) install >/dev/null && ROLE="$(ROLE)" UNIT="$(UNIT)" $(VENV)/cds-platform token

demo:  ## the main job: stack up, the Vĩnh Phúc data set loaded through the APIs, figures printed (RESET=1 starts clean)
	@if [ "$(RESET)" = "1" ]; then $(STACK) reset; fi
	@$(STACK) up
	@$(VENV)/python -m demo
	@scripts/demo-summary.sh

rebuild-reporting:  ## replay every event into fresh reporting projections and swap them in (service may run)
	@$(VENV)/reporting-rebuild

bench: up  ## measure throughput and latency side by side (README, Performance); SCALE= sizes it (67: ~1 M events), PARTS=write,freshness runs only those
	@$(VENV)/python -m bench $(if $(SCALE),--scale $(SCALE)) $(if $(PARTS),--parts $(PARTS)) $(if $(WRITE_RATE),--write-rate $(WRITE_RATE))
