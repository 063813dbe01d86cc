# nodelet: `make up` starts a one-node cluster (arrives with the agent); `make test` runs all tests.
# Every target uses Node.js >= 24: the machine's when new enough, else one provisioned in .tools/.
SHELL := /bin/bash
ROOT := $(CURDIR)
TOOLS := $(ROOT)/.tools
export PATH := $(TOOLS)/bin:$(PATH)

SOURCES := $(shell find src test bench images -name '*.ts' 2>/dev/null) tsconfig.json

.PHONY: setup deps node kubectl debs images build test test-unit test-integration lint bench clean

setup: debs node kubectl deps build images

debs:
	@scripts/install-debs.sh

node:
	@scripts/provision-node.sh

kubectl: node debs
	@scripts/provision-kubectl.sh

deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json | node
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: deps dist/.stamp

dist/.stamp: $(SOURCES) node_modules/.package-lock.json
	npx tsc -p tsconfig.json
	@touch $@

images: debs
	@images/build.sh

test: setup
	@scripts/run-tests.sh

test-unit: build
	node --test --test-reporter=spec 'dist/test/unit/**/*.test.js'

test-integration: setup
	node --test --test-concurrency=1 --test-reporter=spec 'dist/test/integration/**/*.test.js'
	@scripts/check-leftovers.sh

lint: deps
	npx tsc -p tsconfig.json --noEmit
	npx eslint .

bench: setup
	node dist/bench/cri-pod-start.js
	node dist/bench/apiserver.js
	node dist/bench/pod-startup.js
	node dist/bench/scheduler.js
	node dist/bench/proxy-sync.js

clean:
	rm -rf dist .cache

# A one-node cluster on this machine (as root): scripts/up.sh; `make down` stops it. See README.
.PHONY: up down install
up: setup
	@scripts/up.sh

down:
	@scripts/down.sh

# systemd units and /opt/nodelet (systemd/install.sh; DRY_RUN=1 only prints what it would do).
install: setup
	@systemd/install.sh $(if $(DRY_RUN),--dry-run)
