# Samskapa — the two commands a newcomer needs are `make run` and `make test`.
VENV        := .venv
PY          := $(VENV)/bin/python
MANAGE      := $(PY) manage.py
HOST_PORT   ?= 127.0.0.1:8000

# The demo runs with DEBUG on and without the operator second-factor requirement;
# production sets neither (see README, "Configuration").
DEMO_ENV := DEBUG=true SECRET_KEY=local-demo-only REQUIRE_OPERATOR_2FA=false
# Tests run with production-like settings but plain HTTP and a throwaway key.
TEST_ENV := DEBUG=false SECRET_KEY=test-only HTTPS=false DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run test test-fast check bench bench-portal bench-board bench-matching bench-booklet bench-impact-import bench-impact-dashboard install install-test browser pdf-libs messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed messages pdf-libs

install-test: $(VENV)/.installed-test messages browser pdf-libs

# WeasyPrint (the PDF exports) needs Debian's pango and harfbuzz and a font; present on most
# desktops and on our machines, installed here when missing.
pdf-libs:
	@ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset \
	  && test -d /usr/share/fonts/truetype/dejavu || { \
	  echo "Installing the libraries WeasyPrint needs (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; }

# Debian's chromium drives the browser tests; Playwright never downloads a browser here.
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

messages: $(VENV)/.installed
	$(DEMO_ENV) $(MANAGE) compilemessages --ignore=.venv --verbosity 0

run: install
	mkdir -p var
	$(DEMO_ENV) $(MANAGE) migrate --verbosity 0
	$(DEMO_ENV) $(MANAGE) load_demo
	$(DEMO_ENV) $(MANAGE) runserver $(HOST_PORT)

check: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run
	$(TEST_ENV) $(MANAGE) check
	$(TEST_ENV) $(MANAGE) validate_templates
	msgfmt --check-format -o /dev/null samskapa/locale/sv/LC_MESSAGES/django.po

# -n auto: one worker per core, each with its own test database (pytest-xdist).
test: install-test check
	$(TEST_ENV) $(PY) -m pytest -n auto

test-fast: install-test
	$(TEST_ENV) $(PY) -m pytest -n auto -m "not browser"

bench: install-test
	$(TEST_ENV) $(PY) bench/run_bench.py

bench-portal: install-test
	$(TEST_ENV) $(PY) bench/portal_bench.py

# The programme board with 50 innovator journeys, in-process (docs/performance.md).
bench-board: install-test
	$(TEST_ENV) $(PY) bench/board.py

# The matching engine on 10,000 applicants × 200 challenges (no database; docs/performance.md).
bench-matching: $(VENV)/.installed
	$(PY) bench/matching.py

# A PDF booklet of 50 lessons against one of a single lesson.
bench-booklet: install-test
	$(TEST_ENV) $(PY) bench/booklet.py

# Issue 6's figures need PostgreSQL (COPY is the import's floor): a loopback database of its own.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
bench-impact-import: install-test
	DATABASE_URL=$(BENCH_PG)/import_bench $(TEST_ENV) $(PY) bench/impact_import.py

bench-impact-dashboard: install-test
	DATABASE_URL=$(BENCH_PG)/dashboard_bench $(TEST_ENV) $(PY) bench/impact_dashboard.py

clean:
	rm -rf $(VENV) var
