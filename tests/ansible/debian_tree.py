"""A Debian 12 tree to apply the role to, built once with debootstrap and cached as a tarball.

The cache lives in $THROUGHGATE_CACHE (default ~/.cache/throughgate): the bare tree (about 90 MB
compressed), the .deb files the role installs, and a wheelhouse of the edge's dependencies, so a
later run needs the package mirror only for `apt-get update`. Without a mirror the tree cannot be
built, and the test says exactly that when it skips.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SUITE = "bookworm"
MIRROR = os.environ.get("THROUGHGATE_DEBIAN_MIRROR", "http://deb.debian.org/debian")
# What a box has before the playbook: Python for Ansible, apt's Python binding, netbase, systemd
# (the units are enabled with systemctl) and sudo (the playbook asks for become).
INCLUDE = ("python3", "python3-apt", "netbase", "systemd", "sudo", "ca-certificates")
POLICY_RC_D = "#!/bin/sh\n# Built for tests: no package starts a service on the host.\nexit 101\n"
ROOT = Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    path = Path(os.environ.get("THROUGHGATE_CACHE", "~/.cache/throughgate")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run(argv: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)


def skip_unless_possible() -> None:
    if os.geteuid() != 0:
        pytest.skip("building and entering a Debian tree (debootstrap, chroot, mount) needs root")
    for tool in ("debootstrap", "chroot", "mount", "tar"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (make test installs debootstrap with apt-get)")


def _mirror_answers() -> str:
    """'' if the mirror serves bookworm's Release file, else why not."""
    if not MIRROR.startswith(("http://", "https://")):
        return f"{MIRROR} is not an http(s) URL"
    try:
        with urllib.request.urlopen(f"{MIRROR}/dists/{SUITE}/Release", timeout=15) as reply:  # noqa: S310 (checked)
            reply.read(64)
        return ""
    except (urllib.error.URLError, OSError) as exc:
        return f"{exc.__class__.__name__}: {getattr(exc, 'reason', exc)}"


def _tarball() -> Path:
    key = hashlib.sha256(f"{SUITE} minbase {MIRROR} {' '.join(INCLUDE)} {POLICY_RC_D}".encode()).hexdigest()[:12]
    return cache_dir() / f"debian12-{key}.tar.gz"


def _build_tarball(tarball: Path) -> None:
    why = _mirror_answers()
    if why:
        pytest.skip(f"cannot build the Debian 12 tree: the package mirror {MIRROR} did not answer ({why}); "
                    "set THROUGHGATE_DEBIAN_MIRROR to a reachable mirror")
    with tempfile.TemporaryDirectory(dir=cache_dir()) as work:
        tree = Path(work) / "tree"
        done = _run(["debootstrap", "--variant=minbase", f"--include={','.join(INCLUDE)}", SUITE, str(tree), MIRROR],
                    timeout=900)
        if done.returncode != 0:
            log = (tree / "debootstrap" / "debootstrap.log")
            detail = log.read_text()[-2000:] if log.exists() else done.stderr[-2000:]
            pytest.fail(f"debootstrap failed (exit {done.returncode}):\n{done.stdout[-1000:]}\n{detail}")
        policy = tree / "usr/sbin/policy-rc.d"
        policy.write_text(POLICY_RC_D)
        policy.chmod(0o755)
        for junk in (tree / "var/cache/apt/archives").glob("*.deb"):
            junk.unlink()
        partial = tarball.with_suffix(".partial")
        done = _run(["tar", "--numeric-owner", "-czpf", str(partial), "-C", str(tree), "."], timeout=600)
        assert done.returncode == 0, f"tar failed: {done.stderr}"
        partial.rename(tarball)


@contextlib.contextmanager
def debian_tree(where: Path):
    """A fresh Debian 12 tree at `where`, with /proc mounted and the host's resolv.conf (for apt),
    and the cached .deb files in apt's cache. Yields the tree; unmounts and keeps new .deb files after."""
    skip_unless_possible()
    tarball = _tarball()
    if not tarball.exists():
        _build_tarball(tarball)
    where.mkdir(parents=True)
    done = _run(["tar", "--numeric-owner", "-xzpf", str(tarball), "-C", str(where)], timeout=300)
    assert done.returncode == 0, f"unpacking {tarball} failed: {done.stderr}"
    shutil.copyfile("/etc/resolv.conf", where / "etc/resolv.conf")
    debs, archives = cache_dir() / "apt-archives", where / "var/cache/apt/archives"
    debs.mkdir(exist_ok=True)
    for deb in debs.glob("*.deb"):
        shutil.copyfile(deb, archives / deb.name)
    proc = where / "proc"
    mounted = _run(["mount", "-t", "proc", "proc", str(proc)], timeout=30)
    assert mounted.returncode == 0, f"mounting /proc in the tree failed: {mounted.stderr}"
    try:
        yield where
    finally:
        _run(["umount", "-l", str(proc)], timeout=30)
        for deb in archives.glob("*.deb"):
            if not (debs / deb.name).exists():
                shutil.copyfile(deb, debs / deb.name)


def wheelhouse(dest: Path) -> Path:
    """The project's wheel plus wheels of all its dependencies at the locked versions (constraints.txt),
    as docs/install.md builds them, in `dest` (the dependencies cached by the hash of setup.cfg and the
    lock), for an offline `pip install --no-index --find-links`. Returns the project's wheel."""
    dest.mkdir(parents=True, exist_ok=True)
    done = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dest), str(ROOT)], timeout=300)
    assert done.returncode == 0, f"building the project's wheel failed:\n{done.stderr[-2000:]}"
    wheel = next(dest.glob("throughgate-*.whl"))
    lock = ROOT / "constraints.txt"
    key = hashlib.sha256((ROOT / "setup.cfg").read_bytes() + lock.read_bytes()).hexdigest()[:12]
    cached = cache_dir() / f"wheels-{key}"
    if not cached.exists():
        partial = cache_dir() / f"wheels-{key}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        done = _run([sys.executable, "-m", "pip", "wheel", "-q", "-c", str(lock), "-w", str(partial), str(wheel)],
                    timeout=900)
        if done.returncode != 0:
            pytest.skip(f"cannot build wheels of the edge's dependencies (no package index?):\n{done.stderr[-1500:]}")
        for own in partial.glob("throughgate-*.whl"):
            own.unlink()
        partial.rename(cached)
        for old in cache_dir().glob("wheels-*"):  # for an earlier setup.cfg or lock
            if old != cached:
                shutil.rmtree(old, ignore_errors=True)
    for dep in cached.glob("*.whl"):
        shutil.copyfile(dep, dest / dep.name)
    return wheel


def in_tree(tree: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a command inside the tree (chroot), with a plain PATH."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    return _run(["chroot", str(tree), *argv], timeout=timeout, env=env)
