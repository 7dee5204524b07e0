"""Build the sandbox image with no image registry: `codecall image build`.

How: mmdebstrap makes a minimal Debian root filesystem (Essential packages + python3, libstdc++6
for the manylinux wheels, libseccomp2, tzdata; no docs, man pages or locales) from Debian's apt
repositories; this host's pip installs images/requirements.txt into it from PyPI as wheels for the
root's Python and glibc (pinned to the versions this host's environment runs, so both backends behave
alike); the root's own Python byte-compiles them (the root is read-only at run time, so nothing is
compiled later); `docker import` turns the tree into an image.

Why this way: it needs only what these machines reach (apt and PyPI), not a registry; unlike copying
the host's own Python and libraries, the result does not depend on how the host's Python was built
(pyenv, conda, a venv) or on chasing its shared libraries with ldd, and it is a real Debian system
(dpkg knows every file) matching images/Dockerfile's python:3.11-slim-bookworm closely. mmdebstrap
rather than debootstrap: it resolves with apt in one pass (about 30 s here) and can leave out
documentation at unpack time. It needs root (chroot), as dockerd does.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sandbox.boxes.base import PACKAGE_ROOT
from sandbox.boxes.docker import IMAGE_TAG, docker_cli

REQUIREMENTS = PACKAGE_ROOT / "images" / "requirements.txt"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
DEBIAN_PACKAGES = ("python3", "libstdc++6", "libseccomp2", "tzdata")
#: Files dpkg leaves out of the root: nobody reads them in a sandbox.
DPKG_EXCLUDES = ("/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*")
#: Test suites shipped inside these packages are never imported at run time; dropping them saves
#: about a third of the installed size and of the byte-compile time.
STRIP_TESTS_FROM = ("numpy", "scipy", "pandas", "pyarrow", "matplotlib")
#: The image's configuration (`docker import --change`); sessions set their own user and env anyway.
IMAGE_CHANGES = ("USER 65534:65534", "WORKDIR /workspace", 'CMD ["python3"]')
#: The image label that records which requirements it was built from.
REQUIREMENTS_LABEL = "codecall.requirements"


def image_exists(tag: str = IMAGE_TAG) -> bool:
    """True when the Docker daemon has image `tag`."""
    return docker_cli("image", "inspect", "--format", "{{.Id}}", tag).returncode == 0


def image_current(tag: str = IMAGE_TAG) -> bool:
    """True when image `tag` exists and was built from the present images/requirements.txt."""
    label = docker_cli("image", "inspect", "--format", f'{{{{index .Config.Labels "{REQUIREMENTS_LABEL}"}}}}', tag)
    return label.returncode == 0 and label.stdout.strip() == requirements_digest()


def requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:16]


def build_image(tag: str = IMAGE_TAG, progress: Callable[[str], None] = print) -> str:
    """Build the sandbox image offline (no registry) and return its id. Needs root and mmdebstrap."""
    if os.geteuid() != 0:
        raise PermissionError("building the image needs root (mmdebstrap chroots into the new root)")
    if shutil.which("mmdebstrap") is None:
        raise FileNotFoundError("mmdebstrap is not installed: apt-get install -y mmdebstrap")
    started = time.monotonic()

    def step(message: str) -> None:
        progress(f"[{time.monotonic() - started:6.1f}s] {message}")

    previous = docker_cli("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip()
    root = Path(tempfile.mkdtemp(prefix="codecall-image-"))
    try:
        step(f"Debian {SUITE} root with {', '.join(DEBIAN_PACKAGES)} (mmdebstrap)")
        _run(_mmdebstrap_argv(root))
        python, glibc = _root_python(root)
        site = root / "usr" / "local" / "lib" / f"python{python}" / "dist-packages"
        step(f"Python packages from {REQUIREMENTS.name} for python {python}, glibc {glibc} (pip)")
        _run(_pip_argv(site, python, glibc, _constraints(root)))
        for package in STRIP_TESTS_FROM:
            for tests in sorted((site / package).glob("**/tests"), reverse=True):
                shutil.rmtree(tests, ignore_errors=True)
        step("byte-compiling (the root is read-only at run time)")
        _run(["chroot", str(root), "python3", "-m", "compileall", "-q", "-j0", f"/{site.relative_to(root)}"])
        for folder in ("workspace", "opt/codecall"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        for home in ("root", "home"):  # no home folders: HOME is /tmp, as in the kernel box
            shutil.rmtree(root / home)
        step(f"docker import as {tag}")
        image_id = _import(root, tag)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if previous and previous != image_id:  # the old image, now untagged; kept if a container uses it
        docker_cli("image", "rm", previous)
    size = docker_cli("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip()
    step(f"built {tag} ({int(size or 0) / 1e6:.0f} MB)")
    return image_id


def _mmdebstrap_argv(root: Path) -> list[str]:
    argv = ["mmdebstrap", "--variant=essential", f"--include={','.join(DEBIAN_PACKAGES)}"]
    argv += [f"--dpkgopt=path-exclude={pattern}" for pattern in DPKG_EXCLUDES]
    return argv + [SUITE, str(root), MIRROR]


def _root_python(root: Path) -> tuple[str, str]:
    """The new root's Python version ("3.11") and glibc version ("2.36"), which pick the wheels."""
    probe = "import platform, sys; print('%d.%d' % sys.version_info[:2], platform.libc_ver()[1])"
    python, glibc = _run(["chroot", str(root), "python3", "-c", probe]).split()
    return python, glibc


def _constraints(root: Path) -> Path:
    """A pip constraints file pinning each requirement to the version this host runs, if it has it."""
    pins = []
    for line in REQUIREMENTS.read_text().splitlines():
        name = re.split(r"[<>=!~ #]", line.strip(), maxsplit=1)[0]
        if not name:
            continue
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    path = root / "tmp" / "codecall-constraints.txt"
    path.write_text("\n".join(pins) + "\n")
    return path


def _pip_argv(site: Path, python: str, glibc: str, constraints: Path) -> list[str]:
    """pip, run by this host's Python, installing wheels built for the root's Python and glibc."""
    major, minor = (int(part) for part in glibc.split("."))
    machine = platform.machine()
    platforms = [f"manylinux_{major}_{m}_{machine}" for m in range(minor, 16, -1)]
    platforms += [f"manylinux2014_{machine}", f"manylinux2010_{machine}", f"manylinux1_{machine}"]
    argv = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    argv += ["--target", str(site), "--no-compile", "--only-binary=:all:", "--implementation", "cp"]
    argv += ["--python-version", python, "--abi", "cp" + python.replace(".", "")]
    for tag in platforms:
        argv += ["--platform", tag]
    return argv + ["--requirement", str(REQUIREMENTS), "--constraint", str(constraints)]


def _import(root: Path, tag: str) -> str:
    """`docker import` the tree as `tag`, streaming a tar of it; returns the image id."""
    argv = [shutil.which("docker") or "docker", "import"]
    for change in (*IMAGE_CHANGES, f"LABEL {REQUIREMENTS_LABEL}={requirements_digest()}"):
        argv += ["--change", change]
    tar = subprocess.Popen(
        ["tar", "--numeric-owner", "--exclude=./tmp/*", "-C", str(root), "-c", "."], stdout=subprocess.PIPE
    )
    try:
        image_id = _run(argv + ["-", tag], stdin=tar.stdout)
    finally:
        tar.stdout.close()
        tar.wait()
    if tar.returncode:
        raise RuntimeError(f"tar of the image root failed ({tar.returncode})")
    return image_id.strip()


def _run(argv: list[str], stdin=None) -> str:
    """Run a build step; raise with its output when it fails."""
    done = subprocess.run(argv, stdin=stdin, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout
