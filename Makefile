# The two set-up commands of the README: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test serve docs bench realpages places-data clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# Datasette's port for the demo: `make demo DEMO_PORT=8002` when 8001 is taken.
DEMO_PORT ?= 8001
demo: install
	$(VENV)/bin/hajar demo --port $(DEMO_PORT)

test: install
	$(PY) -m pytest

serve: install
	$(VENV)/bin/hajar serve

# Regenerate the generated tables of the docs (cog blocks, e.g. `hajar quality`'s table in
# docs/adding-an-outlet.md); tests/test_docs.py fails when a committed one is stale.
docs: install
	$(VENV)/bin/cog -r $$(grep -l '\[\[\[cog' README.md docs/*.md)

# The quick benchmarks (under 5 minutes); scale runs and the current tables: docs/benchmarks.md.
bench: install
	$(PY) -m pip install --quiet -e ".[bench]"
	command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null
	$(PY) bench/parse.py --repeat 3
	$(PY) bench/crawl.py --runs 1
	$(PY) bench/archive.py --runs 1
	$(PY) bench/places.py --repeat 5

# The real-pages scoreboard: parse_article and trafilatura on the whole shared corpus (../shared/realpages).
realpages: install
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) bench/realpages.py ../shared/realpages

# Vendor the gazetteer again from npm (idn-area-data; PLACES_VERSION=4.0.1 for a given one): the one step
# that reaches the registry. Archives load it when next opened; `hajar reparse` then tags their articles again.
PLACES_VERSION ?= latest
places-data: install
	$(PY) -m hajar_scraper.places update $(PLACES_VERSION)

clean:
	rm -rf $(VENV) archive/*.db archive/*.db-* .pytest_cache
