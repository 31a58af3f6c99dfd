# LearnHub: `make run` to serve on http://127.0.0.1:5000, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MO_FILES := $(patsubst %.po,%.mo,$(wildcard learnhub/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test lint messages translations clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
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

# Refresh the catalogues after changing user-facing strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project LearnHub -o learnhub/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i learnhub/translations/messages.pot -d learnhub/translations

clean:
	rm -rf $(VENV) .pytest_cache learnhub/translations/*/LC_MESSAGES/*.mo
