"""cgroups where writable (v1 here, v2 on most hosts), and rlimits alone with a notice where not."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import Limits, Policy, Session
from sandbox.boxes import cgroups
from sandbox.boxes.bubblewrap import BubblewrapBox

from .conftest import TEST_LIMITS


def test_session_cgroup_gets_the_limits() -> None:
    group, notice = cgroups.create("test-limits", TEST_LIMITS)
    if group is None:
        pytest.fail(f"cgroups are writable on this machine, yet: {notice}")
    try:
        wanted = {"memory.limit_in_bytes", "memory.max", "pids.max"}
        values = {p.name: p.read_text().strip() for f in group.folders for p in f.iterdir() if p.name in wanted}
        memory = values.get("memory.limit_in_bytes") or values.get("memory.max")
        assert int(memory) == TEST_LIMITS.memory
        assert values["pids.max"] == str(TEST_LIMITS.processes)
    finally:
        group.remove()
    assert not any(folder.exists() for folder in group.folders)


def test_without_writable_cgroups_rlimits_still_hold(monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory").chmod(0o500)
    monkeypatch.setattr(cgroups, "ROOT", tmp_path)
    monkeypatch.setattr(cgroups, "is_v2", lambda: False)
    monkeypatch.setattr(cgroups, "_own_path", lambda controller: "/")
    box = BubblewrapBox(TEST_LIMITS)
    limits = Limits(memory=256 * 1024 * 1024, timeout=20)
    with Session(box, policy=Policy.off(), limits=limits) as session:
        assert box.notices and "rlimits only" in box.notices[0]
        result = session.execute("hog = bytearray(4 * 1024 ** 3)")
        assert result.status == "error" and result.error.type == "MemoryError"
        assert session.execute("1 + 1").value == 2
