#!/usr/bin/env bash
# Set up argmap on a fresh Debian machine: a virtualenv in .venv with everything the
# project needs, the web front-end libraries, and (with --test) the test servers and
# the headless browser. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in python3.11 python3; do
        command -v "$candidate" >/dev/null && { python=$candidate; break; }
    done
fi
[ -d .venv ] || "$python" -m venv .venv
# pip, quiet: a machine's pip configuration may name package folders that do not exist,
# and pip then warns once per package; those lines are dropped, every other message kept.
# PYTHONWARNINGS reaches the build backend too (setuptools explains editable installs at length).
pip_install() {
    PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q --disable-pip-version-check "$@" \
        2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}
echo "setup: Python packages (a few minutes on a fresh machine) ..."
pip_install --upgrade pip
# torch first, pinned: the CPU wheel; a bare "torch" would pull a multi-GB CUDA build.
pip_install "torch==2.13.0"
if [ $want_test = 1 ]; then
    pip_install -e ".[test]"
else
    pip_install -e .
fi

# MiniLM as ONNX (fp32 + int8) for fast embedding; skipped when already built.
[ -f models/encoder/minilm-l6-v2.onnx ] || HF_HUB_OFFLINE=1 .venv/bin/argmap build-encoder

if [ -f web/package.json ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ $want_test = 1 ]; then
    missing=""
    command -v redis-server >/dev/null || missing="$missing redis-server"
    command -v chromium >/dev/null || missing="$missing chromium"
    command -v chromedriver >/dev/null || missing="$missing chromium-driver"
    # PostgreSQL: the store tests start a throw-away server with its initdb and postgres
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$missing postgresql"
    if [ -n "$missing" ]; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
        else
            echo "setup: please install:$missing (sudo apt-get install$missing)" >&2
        fi
    fi
    (cd tools/argdown && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: done (.venv ready)"
