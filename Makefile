# LearnHub: `make run` to serve on http://127.0.0.1:5000, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MO_FILES := $(patsubst %.po,%.mo,$(wildcard learnhub/translations/*/LC_MESSAGES/messages.po))

# The locks (docs/decisions/0029-locked-dependencies.md): exact versions with hashes, for CPython 3.11
# on Linux x86_64. One venv serves `make run` and `make test`: the app's lock plus the test tools.
UV_VERSION := 0.13.9
LOCK_FOR := --python-version 3.11 --python-platform x86_64-unknown-linux-gnu
COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes $(LOCK_FOR) --custom-compile-command 'make lock' $(LOCK_ARGS)

.PHONY: run test lint lock messages translations clean

$(STAMP): pyproject.toml requirements/test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: -r requirements/test.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(STAMP) $(MO_FILES)

run: translations
	$(BIN)/learnhub db upgrade
	-$(BIN)/learnhub courses sync   # a broken course is reported and keeps its last good version; serve anyway
	@if [ "$${LEARNHUB_ENV:-development}" = development ]; then $(BIN)/learnhub users demo; fi
	@# One queue consumer beside the web server (mail, invitations, housekeeping); it stops with gunicorn.
	$(BIN)/learnhub worker --workers 2 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:5000 --access-logfile - wsgi:app

test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r learnhub -ll
	$(BIN)/lint-imports

# Rewrite the locks after changing pyproject.toml: keeps every pin that still fits, adds what is new.
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest release in range,
# `make lock LOCK_ARGS="--upgrade-package flask"` one package. uv only runs here, never to install.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'
	$(COMPILE) pyproject.toml requirements/build.in -o requirements/app.txt
	$(COMPILE) pyproject.toml requirements/build.in --extra test -c requirements/app.txt -o requirements/test.txt
	$(COMPILE) pyproject.toml requirements/build.in --extra bench -c requirements/test.txt -o requirements/bench.txt

# Refresh the catalogues after changing user-facing strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output \
		--project LearnHub -o learnhub/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i learnhub/translations/messages.pot -d learnhub/translations

clean:
	rm -rf $(VENV) .pytest_cache learnhub/translations/*/LC_MESSAGES/*.mo
