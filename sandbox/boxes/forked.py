"""The `fork` box: the kernel box, with each session forked from a template instead of started cold.

The template (sandbox.inside.zygote) runs in a bubblewrap box like a cold kernel's, with the same
read-only system and the same environment, plus the folder that holds this host process's session
folders; each session it forks then covers that folder, keeping only its own (see the zygote). A cold
start remains: `command()` is the kernel box's, used when no template can run here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sandbox.boxes.base import PACKAGE_ROOT_IN_BOX, WORK_DIR_IN_BOX, in_box_argv
from sandbox.boxes.bubblewrap import BubblewrapBox, _parents, environment_argv


class ForkedBox(BubblewrapBox):
    name = "fork"
    forks = True

    def template_command(self, sockets: dict[str, Path], sessions_root: Path, lifeline: int) -> list[str]:
        """argv that starts the template, listening on `sockets` (one per kind of session). Not
        --die-with-parent: that signal follows the host *thread* that started it, and a template outlives
        threads; the lifeline ends it when the host is gone."""
        argv = self.system_argv(die_with_parent=False)
        argv += _parents(str(sessions_root)) + ["--bind", str(sessions_root), str(sessions_root)]
        argv += ["--perms", "0755", "--dir", WORK_DIR_IN_BOX, "--chdir", "/"]
        argv += environment_argv()
        argument = {"sockets": {kind: str(path) for kind, path in sockets.items()}, "lifeline": lifeline}
        return argv + ["--"] + in_box_argv(sys.executable, PACKAGE_ROOT_IN_BOX, "sandbox.inside.zygote", argument)
