#!/usr/bin/env bash
# All tests: unit, integration (real daemons, as root), e2e (a whole node), then a check that nothing is left.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
node --test --test-reporter=spec 'dist/test/unit/**/*.test.js' || status=1
node --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec 'dist/test/integration/**/*.test.js' || status=1
node --test --test-concurrency=1 --test-timeout=900000 --test-reporter=spec 'dist/test/e2e/**/*.test.js' || status=1
scripts/check-leftovers.sh || status=1
exit $status
