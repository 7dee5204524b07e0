#!/bin/sh
# Make the docker backend usable on a fresh Debian machine of this kind, as root; safe to run again.
# Installs docker.io and mmdebstrap when missing, starts dockerd in the background when it is not
# running, waits for its socket, and builds the sandbox image when it is missing or was built from an
# older images/requirements.txt (no registry needed).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
SOCKET="${DOCKER_SOCKET:-/var/run/docker.sock}"
WAIT="${DOCKER_WAIT:-60}"

missing=""
command -v docker >/dev/null 2>&1 || missing="$missing docker.io"
command -v dockerd >/dev/null 2>&1 || missing="$missing docker.io"
command -v mmdebstrap >/dev/null 2>&1 || missing="$missing mmdebstrap"
if [ -n "$missing" ]; then
    echo "setup-docker: installing$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

if ! docker version >/dev/null 2>&1; then
    if ! pgrep -x dockerd >/dev/null 2>&1; then
        echo "setup-docker: starting dockerd (log: /tmp/dockerd.log)"
        nohup dockerd >/tmp/dockerd.log 2>&1 &
    fi
    waited=0
    until [ -S "$SOCKET" ] && docker version >/dev/null 2>&1; do
        if [ "$waited" -ge "$WAIT" ]; then
            echo "setup-docker: dockerd did not answer on $SOCKET within ${WAIT}s; see /tmp/dockerd.log" >&2
            tail -n 5 /tmp/dockerd.log >&2 2>/dev/null || true
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
fi

"$PYTHON" -c "
from sandbox.boxes.image import build_image, image_current
if not image_current():
    build_image()
else:
    print('setup-docker: the sandbox image is present and current')
"
