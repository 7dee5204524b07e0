"""The `docker` box: the same boot and kernel as the kernel box, inside a locked-down container.

No network (`--network none`: the Jupyter protocol and the tool bridge use unix sockets in the session
folder, bind-mounted at the same path), no IPC namespace sharing and no /dev/shm (`--ipc none`), a
read-only root, a size-limited tmpfs /tmp, the work folder as the only other writable mount,
memory/CPU/pids limits from the cgroup Docker makes, every capability dropped, no-new-privileges and
the session's unprivileged uid. sandbox.inside.boot adds rlimits and seccomp.

The kernel process jupyter_client manages is the `docker run` CLI attached to the container, so the
kernel manager's life cycle stays stock; because killing the CLI does not stop the container,
`cleanup()` removes it by name, and `remove_leftovers()` removes what killed host processes left.
The container is not started with `--rm`: its OOMKilled flag must outlive its exit to be read.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from sandbox.boxes.base import PACKAGE_ROOT_IN_BOX, WORK_DIR_IN_BOX, Box, BoxSpec, in_box_mounts
from sandbox.boxes.bubblewrap import BOX_ENVIRONMENT
from sandbox.limits import Limits

#: The image sessions run in (built by `codecall image build`, see sandbox/boxes/image.py).
IMAGE_TAG = "codecall-sandbox:latest"

#: Every codecall container carries this label (and `codecall.session=<id>`, `codecall.pid=<owner>`).
LABEL = "codecall=1"
OWNER_LABEL = "codecall.pid"


def docker_cli(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run the docker CLI and capture its output (it is not raised on failure: callers decide)."""
    return subprocess.run([shutil.which("docker") or "docker", *args], capture_output=True, text=True, timeout=timeout)


def container_name(spec: BoxSpec) -> str:
    return f"codecall-{spec.session_id}"


def remove_leftovers(everything: bool = False) -> int:
    """Remove the codecall containers whose host process is gone (or every one); return how many.

    For `codecall docker clean` after a host process was killed. A container's owner is the pid in
    its `codecall.pid` label; containers of live processes on this host are kept unless `everything`."""
    listed = docker_cli(
        "ps", "--all", "--filter", f"label={LABEL}", "--format", f'{{{{.ID}}}} {{{{.Label "{OWNER_LABEL}"}}}}'
    )
    doomed = [
        fields[0]
        for fields in (line.split() for line in listed.stdout.splitlines())
        if everything or len(fields) < 2 or not _alive(int(fields[1]))
    ]
    if doomed:
        docker_cli("rm", "--force", *doomed)
    return len(doomed)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DockerBox(Box):
    name = "docker"

    def __init__(self, limits: Limits, image: str = IMAGE_TAG) -> None:
        super().__init__(limits)
        self.image = image

    @classmethod
    def unavailable(cls) -> str | None:
        if shutil.which("docker") is None:
            return "the docker CLI is not installed: apt-get install docker.io (or run scripts/setup-docker.sh)"
        try:
            probe = docker_cli("image", "inspect", "--format", "{{.Id}}", IMAGE_TAG, timeout=20)
        except subprocess.TimeoutExpired:
            return "the Docker daemon does not answer: check that dockerd is running"
        if probe.returncode == 0:
            return None
        if "No such image" in probe.stderr:
            return f"the sandbox image {IMAGE_TAG} is missing: run `codecall image build`"
        detail = probe.stderr.strip().splitlines()[-1:] or ["no answer"]
        return (
            f"the Docker daemon is not reachable ({detail[0]}): start dockerd "
            "(`dockerd > /tmp/dockerd.log 2>&1 &`, or run scripts/setup-docker.sh)"
        )

    def command(self, spec: BoxSpec) -> list[str]:
        limits = self.limits
        argv = [shutil.which("docker") or "docker", "run", "--name", container_name(spec)]
        argv += ["--label", LABEL, "--label", f"codecall.session={spec.session_id}"]
        argv += ["--label", f"{OWNER_LABEL}={os.getpid()}"]
        argv += ["--init", "--hostname", "sandbox", "--log-driver", "none"]
        argv += ["--network", "none", "--ipc", "none", "--read-only", "--cap-drop", "ALL"]
        argv += ["--security-opt", "no-new-privileges", "--user", f"{spec.uid}:{spec.uid}"]
        argv += ["--memory", str(limits.memory), "--memory-swap", str(limits.memory)]
        argv += ["--cpus", str(limits.cpus), "--pids-limit", str(limits.processes)]
        argv += ["--tmpfs", f"/tmp:rw,nosuid,nodev,size={limits.disk},mode=1777"]
        argv += ["--volume", f"{spec.session_dir}:{spec.session_dir}:rw"]
        argv += ["--volume", f"{spec.work_dir}:{WORK_DIR_IN_BOX}:rw", "--workdir", WORK_DIR_IN_BOX]
        for source, target in in_box_mounts():  # the in-box parts of the package, where boot_argv expects them
            argv += ["--volume", f"{source}:{target}:ro"]
        for key, value in BOX_ENVIRONMENT.items():
            argv += ["--env", f"{key}={value}"]
        return argv + [self.image] + spec.boot_argv("python3", PACKAGE_ROOT_IN_BOX)

    def oom_killed(self, spec: BoxSpec) -> bool:
        state = docker_cli("inspect", "--format", "{{.State.OOMKilled}}", container_name(spec))
        return state.stdout.strip() == "true"

    def cleanup(self, spec: BoxSpec) -> None:
        docker_cli("rm", "--force", container_name(spec))
