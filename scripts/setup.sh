#!/usr/bin/env bash
# Creates .venv (if missing) and installs pixlake with its test and PostgreSQL extras.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,postgres]'

# The S3-compatible server the tests use (s3rver, from the npm registry) when Node.js is here.
if command -v npm >/dev/null 2>&1; then
  (cd tests/s3server && npm install --no-audit --no-fund --silent) \
    || echo "could not install s3rver: the tests will use moto's S3 server instead" >&2
else
  echo "npm not found: the tests will use moto's S3 server instead of s3rver" >&2
fi
