# Two commands do all the set-up: `make drill` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
SCENARIO ?= escalate-message

.PHONY: drill try test lint bench bench-features clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

drill: $(VENV)/.installed
	$(VENV)/bin/relay drill $(SCENARIO)

try: $(VENV)/.installed
	$(VENV)/bin/relay try

test: $(VENV)/.installed
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed
	$(PY) bench/web.py
	$(PY) bench/click_cost.py
	$(PY) bench/transport.py
	$(PY) bench/clock_tick.py
	$(PY) bench/delivery.py --rate-limits
	$(PY) bench/briefings.py

# Longer: stats over 100,000 tickets, and war rooms (a burst under Slack's Tier 2 limits
# takes minutes).
bench-features: $(VENV)/.installed
	$(PY) bench/stats.py
	$(PY) bench/war_room.py

clean:
	rm -rf $(VENV) .pytest_cache relay.db
