"""The layout holds what it promises: what runs in the box loads nothing of the host side, the box shows
only that, and no module is longer than about 300 lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sandbox import Policy, Session
from sandbox.boxes.base import IN_BOX_PARTS, PACKAGE_ROOT_IN_BOX

from .conftest import TEST_LIMITS

SANDBOX = Path(__file__).resolve().parent.parent / "sandbox"
HOST_ONLY = ("jupyter_client", "pydantic", "docker", "codecall", "sandbox.host", "sandbox.boxes", "sandbox.limits",
             "sandbox.execution")  # fmt: skip


def in_box_modules() -> list[str]:
    """Every module of the in-box parts (the policy and inside packages), by dotted name."""
    names = []
    for part in IN_BOX_PARTS:
        for path in sorted((SANDBOX / part).rglob("*.py")) if (SANDBOX / part).is_dir() else [SANDBOX / part]:
            relative = path.relative_to(SANDBOX.parent).with_suffix("")
            names.append(".".join(part for part in relative.parts if part != "__init__"))
    return names


def test_in_box_modules_load_no_host_side_package(tmp_path: Path) -> None:
    """A fresh isolated interpreter imports every in-box module (no kernel started) and lists sys.modules.
    It sees the package as the box does: only the in-box parts, in a `sandbox` folder of their own."""
    (tmp_path / "sandbox").mkdir()
    for part in IN_BOX_PARTS:
        (tmp_path / "sandbox" / part).symlink_to(SANDBOX / part)
    script = (
        "import importlib, json, sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "for name in json.loads(sys.argv[1]):\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    modules = in_box_modules()
    assert "sandbox.inside.runtime" in modules and "sandbox.policy.guards.namespace" in modules
    done = subprocess.run([sys.executable, "-I", "-c", script, json.dumps(modules)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    leaked = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HOST_ONLY)]
    assert not leaked, leaked
    assert "sandbox.policy.guards.namespace" in loaded and "RestrictedPython" in loaded


def test_the_box_shows_only_the_in_box_parts() -> None:
    """With the policy off (plain CPython in the box), the host side of the package is not there at all."""
    code = (
        "import os, sys\n"
        f"root = {PACKAGE_ROOT_IN_BOX + '/sandbox'!r}\n"
        "print(sorted(os.listdir(root)))\n"
        "print(*(os.path.exists(f'{root}/{name}') for name in ('host', 'boxes', '__init__.py')))\n"
        "import sandbox\n"
        "print(list(sandbox.__path__), getattr(sandbox, '__file__', None))\n"
        "try:\n"
        "    import sandbox.host.session\n"
        "except ImportError as e:\n"
        "    print(type(e).__name__)"
    )
    with Session(policy=Policy.off(), limits=TEST_LIMITS) as session:
        result = session.execute(code)
    assert result.status == "ok", result.summary()
    listing, exists, path, refused = result.stdout.splitlines()
    assert listing == str(sorted(IN_BOX_PARTS))
    assert exists == "False False False"
    assert path == f"['{PACKAGE_ROOT_IN_BOX}/sandbox'] None"  # a namespace package: no __init__.py
    assert refused == "ModuleNotFoundError"


def test_no_module_is_much_over_300_lines() -> None:
    lengths = {str(path.relative_to(SANDBOX)): len(path.read_text().splitlines()) for path in SANDBOX.rglob("*.py")}
    assert not {name: n for name, n in lengths.items() if n > 300}
