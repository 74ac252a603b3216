# Two commands for everyone: `make lab` opens the course, `make test` proves it.
# Both set up what is missing first: a virtual environment with the kit, and
# the system programs the course and its tests use.

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8888
NOTEBOOKS ?= notebooks
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

# As root (CI, containers) JupyterLab must be told it may run.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Without a display there is no browser to open.
BROWSER_FLAG := $(if $(or $(DISPLAY),$(filter Darwin,$(shell uname -s))),,--no-browser)

.PHONY: lab test setup system student clean help

help:
	@echo "make lab    open the course in JupyterLab (http://127.0.0.1:$(PORT))"
	@echo "make test   run every test: unit tests, notebooks, browser tests"
	@echo "make student  build the learner edition of the notebooks in student/"

# The venv is (re)built when missing or when pyproject.toml changed.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the kit into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory" || true
	@$(BIN)/python -c "import labkit" || { echo "The kit did not install; see the messages above."; exit 1; }
	@touch $@

$(SETTINGS): jupyter/overrides.json $(STAMP)
	@mkdir -p $(dir $@) && cp jupyter/overrides.json $@

setup: $(STAMP) $(SETTINGS)
	@sh scripts/ensure-program.sh dot graphviz

system: setup
	@sh scripts/ensure-program.sh zbarimg zbar-tools optional
	@sh scripts/ensure-program.sh chromium chromium optional

lab: setup
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(ROOT_FLAG) $(BROWSER_FLAG) \
		--ServerApp.root_dir=$(NOTEBOOKS) \
		--LabApp.default_url=/lab/tree/00-welcome.ipynb \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$(LAB_ARGS)

test: system
	$(BIN)/python -m pytest $(PYTEST_ARGS)

student: setup
	$(BIN)/python scripts/build_student.py notebooks student

clean:
	rm -rf $(VENV) student screenshots .pytest_cache
