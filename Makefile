# Two commands for a fresh machine with only Python: `make book` and `make test`.
# Both create .venv and install the pinned requirements on first use.
PYTHON ?= python3
BASE_URL ?= /
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Free text from the command line (QUARTER, PLAN, BASE_URL) is never expanded here and never
# exported to a recipe's environment (exporting expands it, running any $(shell ...)): it
# reaches the CLI as one single-quoted argument, and the CLI checks it.
unexport QUARTER PLAN BASE_URL
quote = '$(subst ','"'"',$(value $(1)))'

.PHONY: install book closure site site-restore site-save pending test test-fast validate data chapters clean bench

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	# compat: the repository is on sys.path, so a folder named pcpbook where a command runs (a clone
	# beside the project) cannot shadow the package as an empty namespace package
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
		--config-settings editable_mode=compat
	touch $(INSTALLED)

install: $(INSTALLED)   ## create .venv with the pinned requirements

book: $(INSTALLED)   ## build the latest quarter's edition (QUARTER=2020-21-Q1 for another)
	$(BIN)/python -m pcpbook build $(if $(value QUARTER),--quarter $(call quote,QUARTER))

closure: $(INSTALLED)   ## build a plan's closure review (PLAN=2016-2021 or 2021-2024)
	$(BIN)/python -m pcpbook closure --plan $(if $(value PLAN),$(call quote,PLAN),2016-2021)

site: $(INSTALLED)   ## every edition and closure review (QUARTER=... rebuilds that one first); BASE_URL=/repo/
	$(if $(value QUARTER),$(BIN)/python -m pcpbook build --quarter $(call quote,QUARTER) --base-url $(call quote,BASE_URL))
	$(BIN)/python -m pcpbook build --all --base-url $(call quote,BASE_URL)
	$(BIN)/python -m pcpbook closure --all --base-url $(call quote,BASE_URL)

site-restore: $(INSTALLED)   ## replace _build/site with the published site kept on the git branch 'site'
	$(BIN)/python scripts/site_branch.py restore

site-save: $(INSTALLED)   ## commit _build/site to the git branch 'site' and push it (the published site's state)
	$(BIN)/python scripts/site_branch.py save

pending: $(INSTALLED)   ## print the quarters with data but no published edition (nothing: none)
	@$(BIN)/python -m pcpbook pending

test: $(INSTALLED)   ## the whole suite, including notebook and edition builds
	$(BIN)/python -m pytest -q

test-fast: $(INSTALLED)   ## everything but the slow notebook and edition builds
	$(BIN)/python -m pytest -q -m "not slow"

validate: $(INSTALLED)   ## check the data and report every problem
	$(BIN)/python -m pcpbook validate

data: $(INSTALLED)   ## regenerate the modelled demo series, demonstration commentary and strand returns
	$(BIN)/python scripts/make_demo_data.py
	$(BIN)/python scripts/make_demo_commentary.py
	$(BIN)/python scripts/make_demo_strategy.py

chapters: $(INSTALLED)   ## list every page of each plan and the template or fork it is made from (nothing to regenerate)
	$(BIN)/python -m pcpbook pages

clean:
	rm -rf _build chapters/*/figures chapters/closure/*/figures

bench: $(INSTALLED)   ## measure build times against the naive Jupyter Book build (several minutes)
	$(BIN)/python scripts/bench.py
