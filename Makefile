# Two commands on a fresh machine:  `make run`  (set up + serve the demo county)
#                                   `make test` (set up + run every check)
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
DATA    ?= ./data
export HOTLINE_DATA_DIR ?= $(DATA)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel setuptools
	# torch: the CPU build lies on this machine's disk; a plain `torch` requirement would pull CUDA
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	# a CJK font for the report charts and PDFs (Debian fonts-droid-fallback, 4 MB; needs root)
	@test -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf || (apt-get install -y -qq fonts-droid-fallback \
	  || (apt-get update -qq && apt-get install -y -qq fonts-droid-fallback)) >/dev/null 2>&1 \
	  || echo "warning: fonts-droid-fallback not installed: reports cannot draw Chinese charts"
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/hotline init --demo
	$(VENV)/bin/hotline serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: install lint
	$(PY) -m pytest

bench: install
	$(PY) -m eval bench-tickets

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
