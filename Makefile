# Briefings: `make run` brings the site up with demo content, `make test` runs every test.
# Without DATABASE_URL both use a private PostgreSQL cluster under var/postgres/ (see `manage.py pgcluster`).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DB := $(PY) manage.py pgcluster run --
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: install run serve worker test lint format lock upgrade messages fonts map check-deploy bench-search bench-serving bench-pdfs bench-alerts bench-cold bench-crawl bench-plans bench-scale clean debian-run debian-test

# Debian packages: the site needs PostgreSQL with the RUM extension (search ranks inside its index), a
# Python with venv and the text layout libraries WeasyPrint draws PDFs with; the tests also drive Chromium,
# start a Redis server, fetch axe-core with npm and read PDFs with poppler's tools.
# As root the missing ones are installed; otherwise the one command to run is printed. A package counts
# as present when dpkg has it or a command of its name is on the PATH (npm may come with Node.js).
RUN_PACKAGES = postgresql postgresql-PG_MAJOR-rum python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext
TEST_PACKAGES = $(RUN_PACKAGES) chromium redis-server npm fonts-dejavu-core poppler-utils

define ensure_debian_packages
	@major=$$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1); \
	missing=$$(for package in $(1); do \
		package=$$(echo "$$package" | sed "s/PG_MAJOR/$${major:-15}/"); \
		dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" \
			|| command -v "$$package" >/dev/null || echo "$$package"; \
	done | tr '\n' ' '); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "Missing Debian packages. Run this as root, then try again:"; \
			echo "  apt-get update && apt-get install -y --no-install-recommends $$missing"; exit 1; \
		fi; \
		echo "Installing $$missing…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

# PostgreSQL first: the RUM extension's package is named after the server's major version.
debian-run:
	$(call ensure_debian_packages,postgresql)
	$(call ensure_debian_packages,$(RUN_PACKAGES))

debian-test:
	$(call ensure_debian_packages,postgresql)
	$(call ensure_debian_packages,$(TEST_PACKAGES))

install: $(VENV)/.installed-dev $(AXE)

# What the site runs on (requirements.txt), and what the tests and tools add (requirements-dev.txt):
# both locked, every package pinned, from the .in files by `make lock`.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The interface's translations: `make messages` gathers the strings to translate into each language's .po
# file, and every command that serves pages compiles them (GNU gettext's msgfmt).
MESSAGES = $(patsubst %.po,%.mo,$(wildcard briefings/locale/*/LC_MESSAGES/django.po))
%.mo: %.po
	msgfmt --check -o $@ $<

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --all --no-obsolete $(addprefix --ignore=,$(VENV) bench tests staticfiles var media node_modules)

# After editing requirements.in or requirements-dev.in: pin what they need, changing nothing else.
PIP_COMPILE = $(VENV)/bin/pip-compile --quiet --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) requirements.in -o requirements.txt
	$(PIP_COMPILE) requirements-dev.in -o requirements-dev.txt

# Every package to its newest release that the .in files allow.
upgrade: $(VENV)/.installed-dev
	$(PIP_COMPILE) --upgrade requirements.in -o requirements.txt
	$(PIP_COMPILE) --upgrade requirements-dev.in -o requirements-dev.txt

# axe-core, for the accessibility audit of the browser tests, from the npm registry.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

# The text face, Source Serif 4 (SIL Open Font License), from the npm registry: regular and italic instances
# of the variable font (and a semibold one for PDFs' headings), subset to the Latin text a briefing uses,
# as woff2. The results are committed.
FONT_PACKAGE = @fontsource-variable/source-serif-4@5.3.1
FONT_DIR = briefings/static/briefings/fonts
FONT_UNICODES = U+0020-007E,U+00A0-00FF,U+0131,U+0152-0153,U+0160-0161,U+0178,U+017D-017E,U+2010-2014,U+2018-201E,U+2020-2022,U+2026,U+2030,U+2032-2033,U+2039-203A,U+20AC,U+2122,U+2212
fonts: $(VENV)/.installed-dev
	rm -rf var/fonts && mkdir -p var/fonts $(FONT_DIR)
	cd var/fonts && npm pack $(FONT_PACKAGE) --silent >/dev/null && tar xzf *.tgz
	for instance in normal:normal:400 italic:italic:400 semibold:normal:600; do \
		name=$${instance%%:*}; style=$$(echo $$instance | cut -d: -f2); weight=$${instance##*:}; \
		$(VENV)/bin/fonttools varLib.instancer -q var/fonts/package/files/source-serif-4-latin-wght-$$style.woff2 wght=$$weight -o var/fonts/$$name.ttf && \
		$(VENV)/bin/pyftsubset var/fonts/$$name.ttf --unicodes="$(FONT_UNICODES)" --flavor=woff2 --no-hinting \
			--layout-features=kern,liga,lnum,onum,pnum,tnum --output-file=$(FONT_DIR)/source-serif-4-$$name.woff2; \
	done
	cp var/fonts/package/LICENSE $(FONT_DIR)/OFL.txt

# The regions map's country shapes: Natural Earth 1:110m (public domain) through the world-atlas package
# (ISC licence) from the npm registry, projected and keyed by ISO code into briefings/world_map.json.
map: $(VENV)/.installed-dev
	rm -rf var/map && mkdir -p var/map
	cd var/map && npm pack world-atlas@2.0.2 --silent >/dev/null && tar xzf *.tgz
	$(PY) manage.py freeze_world_map var/map/package/countries-110m.json

# The site and a worker for its task queue (PDFs, email alerts and digests) side by side; Ctrl-C stops
# both. The worker is told to stop when the shell ends, since a background job of a script does not
# receive the terminal's Ctrl-C.
WORKER = $(PY) manage.py procrastinate worker
WITH_WORKER = $(WORKER) & worker=$$!; trap "kill $$worker 2>/dev/null; wait $$worker" EXIT INT TERM;

run: debian-run $(VENV)/.installed $(MESSAGES)
	DEBUG=$${DEBUG:-true} PORT=$(PORT) $(DB) sh -c '\
		$(PY) manage.py migrate --noinput && \
		$(PY) manage.py load_demo --port $(PORT) || exit 1; \
		$(WITH_WORKER) $(PY) manage.py runserver 127.0.0.1:$(PORT)'

# Production mode: gunicorn as set in briefings/gunicorn.py, DEBUG off, static files compressed and
# hashed by WhiteNoise. Plain HTTP on loopback unless told otherwise: behind a TLS proxy set
# BEHIND_TLS_PROXY, SECURE_SSL_REDIRECT and SECURE_COOKIES to true (see the README).
SERVE_ENV = SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret-key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" \
	SECURE_COOKIES="$${SECURE_COOKIES:-false}" \
	SECURE_HSTS_SECONDS="$${SECURE_HSTS_SECONDS:-0}" \
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"

serve: debian-run $(VENV)/.installed var/secret-key $(MESSAGES)
	$(SERVE_ENV) DEBUG=false PORT=$(PORT) $(DB) sh -c '\
		$(PY) manage.py migrate --noinput -v0 && \
		$(PY) manage.py collectstatic --noinput -v0 && \
		echo "Serving http://127.0.0.1:$(PORT)/ with production settings and a queue worker (Ctrl-C stops)." || exit 1; \
		$(WITH_WORKER) $(PY) -m gunicorn -c python:briefings.gunicorn briefings.wsgi'

# A worker alone, for the machines that make PDFs and send email: any number of them share the queue in
# PostgreSQL.
worker: debian-run $(VENV)/.installed var/secret-key $(MESSAGES)
	$(SERVE_ENV) DEBUG=false $(DB) $(WORKER)

# A signing key kept for `make serve` when SECRET_KEY is not given.
var/secret-key:
	mkdir -p var
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

test: debian-test $(MESSAGES) install lint
	$(DB) $(PY) -m pytest $(PYTEST_ARGS)

# Django idioms of 5.2 (django-upgrade); landed migrations are left as they are.
PYTHON_FILES = $$(git ls-files '*.py' | grep -v /migrations/)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/django-upgrade --target-version 5.2 --check $(PYTHON_FILES)

format: install
	$(VENV)/bin/django-upgrade --target-version 5.2 --exit-zero-even-if-changed $(PYTHON_FILES)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The production settings must pass Django's deployment checks.
check-deploy: install
	SECRET_KEY=$$(openssl rand -hex 32) ALLOWED_HOSTS=briefings.example.org $(PY) manage.py check --deploy --fail-level WARNING

# The benchmarks need what the site runs on (PostgreSQL with RUM: without it an archive gets the GIN index).

# Search latency at 10,000 and 100,000 briefings; figures go to bench/results/search.md.
SIZES ?= 10000 100000
bench-search: debian-run $(VENV)/.installed
	$(DB) $(PY) bench/search.py --sizes $(SIZES)

# Serving throughput against this stack's ceiling at 1,000 and 50,000 briefings, worker memory and admin
# latency; figures go to bench/results/serving.md. wrk is Debian's package.
SERVING_SIZES ?= 1000 50000
bench-serving: debian-run $(VENV)/.installed
	@command -v wrk >/dev/null || { echo "The serving benchmark needs wrk: apt-get install wrk"; exit 1; }
	$(DB) $(PY) bench/serving.py --sizes $(SERVING_SIZES)

# Seconds per PDF against the page, and PDFs a minute through the queue with one and two workers; figures
# go to bench/results/pdfs.md.
PDF_COUNT ?= 1000
bench-pdfs: debian-run $(VENV)/.installed
	$(DB) $(PY) bench/pdfs.py --count $(PDF_COUNT)

# Matching one publication against ALERT_READERS subscribers over 1,000 lists, and sending to an SMTP
# server on loopback with one and two workers; figures go to bench/results/alerts.md.
ALERT_READERS ?= 100000
bench-alerts: debian-run $(VENV)/.installed
	$(DB) $(PY) bench/alerts.py --readers $(ALERT_READERS)

# Every public page kind rendered with nothing cached at 10,000 and 100,000 briefings (the search
# benchmark's archives); figures go to bench/results/cold.md.
COLD_SIZES ?= 10000 100000
bench-cold: debian-run $(VENV)/.installed
	$(DB) $(PY) bench/cold.py --sizes $(COLD_SIZES)

# A crawler walking every address with nothing cached against the stack's ceiling, and readers while an
# editor publishes corrections, at 10,000 and 100,000 briefings; figures go to bench/results/crawl.md.
CRAWL_SIZES ?= 10000 100000
bench-crawl: debian-run $(VENV)/.installed
	@command -v wrk >/dev/null || { echo "The crawler benchmark needs wrk: apt-get install wrk"; exit 1; }
	$(DB) $(PY) bench/crawl.py --sizes $(CRAWL_SIZES)

# One app server, then two, behind nginx with one Redis and one PostgreSQL, at 100,000 briefings: cached
# pages, the crawler's walk and readers while an editor publishes; figures go to bench/results/scale.md.
SCALE_SIZE ?= 100000
bench-scale: debian-run $(VENV)/.installed
	@for tool in wrk nginx redis-server; do command -v $$tool >/dev/null || PATH="$$PATH:/usr/sbin" command -v $$tool >/dev/null || { echo "The scaling benchmark needs wrk, nginx and redis-server: apt-get install wrk nginx redis-server"; exit 1; }; done
	PATH="$$PATH:/usr/sbin" $(DB) $(PY) bench/scale.py --size $(SCALE_SIZE)

# EXPLAIN (ANALYZE, BUFFERS) of every statement of every public page kind at 100,000 briefings; plans go
# to bench/results/plans-100000.md.
PLAN_SIZES ?= 100000
bench-plans: debian-run $(VENV)/.installed
	$(DB) $(PY) bench/plans.py --sizes $(PLAN_SIZES)

clean:
	-$(PY) manage.py pgcluster stop
	rm -rf var media staticfiles
