# Two commands for a newcomer on a fresh Debian 12 machine (as root): `make demo`, `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The exact versions CI tested (`make lock` regenerates it from setup.cfg's ranges): every install uses it.
LOCK := constraints.txt
APT_PACKAGES := mosquitto mosquitto-clients python3-venv openssl hostapd eapoltest iproute2 dnsmasq-base nftables isc-dhcp-client \
	debootstrap chromium nginx-light systemd wpasupplicant curl nodejs npm fonts-dejavu-core poppler-utils zbar-tools
# The app's build tools and libraries and the test tools from npm, exactly as package-lock.json says.
NODE_STAMP := node_modules/.installed
# The person's app, built into webapp/dist (it ships inside the Python package: a box needs no npm).
APP_STAMP := webapp/dist/asset-manifest.json
APP_SOURCES := $(shell find app -type f 2>/dev/null)

# The import rules in .importlinter (README.md, Layout); a broken one names the chain of imports.
IMPORTS := $(VENV)/bin/lint-imports --no-logo --no-cache || { echo "make: an import breaks a rule in .importlinter \
	(README.md, Layout), chain shown above: move the code to a part allowed to hold it, or pass in what it needs."; exit 1; }

.PHONY: demo test bench lint imports deps lock clean

deps: $(STAMP) $(NODE_STAMP) $(APP_STAMP)

$(STAMP): setup.cfg pyproject.toml $(LOCK)
	@# (NodeSource's nodejs holds its own npm, and conflicts with Debian's: an npm on the PATH will do.)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || { [ $$p = npm ] && command -v npm >/dev/null; } \
	  || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  policy=/usr/sbin/policy-rc.d; own=""; \
	  if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' > $$policy; chmod 755 $$policy; own=1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; rc=$$?; \
	  if [ -n "$$own" ]; then rm -f $$policy; fi; \
	  [ $$rc -eq 0 ] || exit $$rc; \
	fi
	@# The system broker is not ours to run: tests and the demo start their own Mosquitto.
	@# A venv made here must hold exactly the lock; an older one may also hold a developer's own tools.
	@test -x $(PY) || { python3 -m venv $(VENV) && touch $(VENV)/.fresh; }
	$(PY) -m pip install -q -c $(LOCK) --upgrade pip
	$(PY) -m pip install -q -c $(LOCK) -e '.[test]'
	@$(PY) .ci/lock.py check $(PY) $$(test -e $(VENV)/.fresh || echo --allow-extra)
	@rm -f $(VENV)/.fresh
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json | $(STAMP)
	@command -v npm >/dev/null || { echo "make: npm is missing: apt-get install nodejs npm (as root), then make again."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

$(APP_STAMP): $(APP_SOURCES) package-lock.json | $(NODE_STAMP)
	node app/build.mjs

lock:
	python3 .ci/lock.py generate

demo: $(STAMP) $(NODE_STAMP) $(APP_STAMP)
	$(VENV)/bin/throughgate demo

test: $(STAMP) $(NODE_STAMP) $(APP_STAMP)
	$(VENV)/bin/ruff check .
	@$(IMPORTS)
	@# Three worker processes, each taking whole test files (a file's shared servers stay in one process).
	@# The tests wait on servers and browsers a third of the time, so on 2 cores three workers finish
	@# sooner: 466 s instead of 527 s with two (3,199 tests, 2026-12-07). One file: .venv/bin/pytest tests/<file>.
	$(VENV)/bin/pytest -q -p no:cacheprovider -n 3 --dist loadfile

imports: $(STAMP)
	@$(IMPORTS)

bench: $(STAMP)
	$(PY) bench/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	@$(IMPORTS)

clean:
	rm -rf $(VENV) build *.egg-info var node_modules
