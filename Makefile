# Two commands for everyone: `make lab` opens the course, `make test` proves it.
# Both set up what is missing first: a virtual environment with the kit, and
# the system programs the course and its tests use.
#
# The environment is requirements-lock.txt: exact versions with their hashes,
# so that the course a learner runs is the one CI tested. `make lock` writes it
# from pyproject.toml, `make upgrade` moves it to the newest releases, and
# `make test-latest` tests the newest releases without touching it.

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8888
# The edition `make lab` opens. learner (the default): student/, the
# exercises to do with each solution one click away, built from notebooks/
# first when it is missing or behind (a learner's own work in it is kept).
# solutions: notebooks/ itself, every solution in place and run, for
# instructors. NOTEBOOKS=folder serves that folder as it is.
EDITION ?= learner
STUDENT ?= student
NOTEBOOKS ?= $(if $(filter solutions,$(EDITION)),notebooks,$(STUDENT))
ifneq ($(filter lab,$(MAKECMDGOALS)),)
ifeq ($(filter $(EDITION),learner solutions),)
$(error EDITION is learner or solutions, not '$(EDITION)')
endif
endif
# locked: the versions in the lock. latest: the newest releases pyproject.toml allows.
INSTALL ?= locked
LOCK   := requirements-lock.txt
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
STAMP  := $(VENV)/.installed
SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
LATEST := .venv-latest

# The lock is for CPython 3.11 on Linux, from 3.11.2 (Debian 12's) on.
UV_COMPILE := pip compile pyproject.toml --extra test --generate-hashes \
	--python-version 3.11.2 --python-platform linux --quiet --output-file $(LOCK)
# The uv that writes the lock is the locked one (the test extra brings it).
UV_VERSION := $(shell sed -n 's/^uv==\([^ ]*\).*/\1/p' $(LOCK) 2>/dev/null)

# As root (CI, containers) JupyterLab must be told it may run.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Without a display there is no browser to open.
BROWSER_FLAG := $(if $(or $(DISPLAY),$(filter Darwin,$(shell uname -s))),,--no-browser)

.PHONY: lab test test-latest setup system student lock upgrade clean help

help:
	@echo "make lab          open the course, learner edition, in JupyterLab (http://127.0.0.1:$(PORT))"
	@echo "                  EDITION=solutions opens the edition with the solutions, for instructors"
	@echo "make test         run every test: unit tests, notebooks, browser tests"
	@echo "make student      build the learner edition of the notebooks in student/"
	@echo "make lock         write $(LOCK) again after a change to pyproject.toml"
	@echo "make upgrade      move $(LOCK) to the newest releases"
	@echo "make test-latest  run every test against the newest releases, in $(LATEST)"

# pip with its messages kept in $(VENV)/pip.log and shown only when it fails
# (less the notes pip makes about configured find-links folders that are absent).
quiet_pip = $(PIP) $(1) >$(VENV)/pip.log 2>&1 || { \
	grep -v "is ignored: it is neither a file nor a directory" $(VENV)/pip.log; exit 1; }

# The venv is (re)installed when missing or when the lock or pyproject.toml
# changed: exactly the locked versions, each checked against its hash, then
# the kit itself; whatever the lock no longer holds is removed.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
ifeq ($(INSTALL),latest)
	@echo "Installing the kit and the newest releases of its dependencies into $(VENV) ..."
	@$(call quiet_pip,install --upgrade --upgrade-strategy eager -e ".[test]")
	@$(BIN)/python scripts/pins.py drift
else
	@echo "Installing $(LOCK) and the kit into $(VENV) ..."
	@$(call quiet_pip,install --require-hashes -r $(LOCK))
	@$(call quiet_pip,install --no-deps -e .)
	@extra=$$($(BIN)/python scripts/pins.py extraneous); \
		test -z "$$extra" || $(call quiet_pip,uninstall --yes $$extra)
endif
	@$(PIP) check >/dev/null || { $(PIP) check; \
		echo "$(LOCK) does not satisfy pyproject.toml: run 'make lock'."; exit 1; }
	@$(BIN)/python -c "import labkit" || { echo "The kit did not install; see the messages above."; exit 1; }
	@touch $@

$(SETTINGS): jupyter/overrides.json $(STAMP)
	@mkdir -p $(dir $@) && cp jupyter/overrides.json $@

setup: $(STAMP) $(SETTINGS)
	@sh scripts/ensure-program.sh dot graphviz

system: setup
	@sh scripts/ensure-program.sh zbarimg zbar-tools optional
	@sh scripts/ensure-program.sh chromium chromium optional

lab: setup $(if $(filter $(STUDENT),$(NOTEBOOKS)),student)
	@echo "Opening $(NOTEBOOKS)/ ($(if $(filter $(STUDENT),$(NOTEBOOKS)),the learner edition,$(if \
		$(filter notebooks,$(NOTEBOOKS)),the solutions edition,as it is)))"
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(ROOT_FLAG) $(BROWSER_FLAG) \
		--ServerApp.root_dir=$(NOTEBOOKS) \
		--LabApp.default_url=/lab/tree/00-welcome.ipynb \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$(LAB_ARGS)

test: system
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same tests on the newest releases, in a venv of their own made afresh,
# so that a release that breaks the course shows before the lock moves to it.
# The tests' `make lab` runs in that venv too: the variables reach it through
# MAKEFLAGS. (.venv is where the tests write make lab's log.)
test-latest:
	rm -rf $(LATEST)
	@mkdir -p .venv
	$(MAKE) test VENV=$(LATEST) INSTALL=latest

# The learner edition in $(STUDENT)/: notebooks the learner has worked in are
# kept (the build names them); delete one to get a fresh copy.
student: setup
	@$(BIN)/python scripts/build_student.py notebooks $(STUDENT)

# uv, at the lock's version, to write the lock. It needs no working venv, so
# that the lock can be written again when pyproject.toml no longer matches it.
$(BIN)/uv:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(call quiet_pip,install "uv$(if $(UV_VERSION),==$(UV_VERSION))")

# The lock written again by uv (with the arguments given), then the pins that
# follow from it. A lock that comes out the same keeps its time, so that the
# venv is not reinstalled for nothing.
define compile_lock
	@cp -p $(LOCK) $(LOCK).before 2>/dev/null || true
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv $(UV_COMPILE) $(1)
	@if cmp -s $(LOCK) $(LOCK).before; then touch -r $(LOCK).before $(LOCK); fi; rm -f $(LOCK).before
	$(PYTHON) scripts/pins.py derive
endef

# After a change to pyproject.toml: the lock again, keeping every version
# that still fits.
lock: $(BIN)/uv
	$(call compile_lock)

# On purpose, in a change of its own: the newest releases. Then run `make
# test`, re-run the notebooks whose outputs changed, review the diffs, commit.
upgrade: $(BIN)/uv
	$(call compile_lock,--upgrade)
	@git diff --stat -- $(LOCK) environment.yml .pre-commit-config.yaml 2>/dev/null || true

clean:
	rm -rf $(VENV) $(LATEST) student screenshots .pytest_cache
