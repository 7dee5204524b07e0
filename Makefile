# The two commands of the README. Each installs what it needs first (scripts/setup*.sh).
.PHONY: demo test install

install:
	bash scripts/setup.sh

demo: install
	.venv/bin/codecall ask "What is 2 + 3?" --tools examples/tools.py

test: install
	bash scripts/setup-docker.sh
	.venv/bin/ruff check .
	.venv/bin/pytest -q -ra
