"""Keep the published site on a git branch, so a scheduled run never depends on a cache.

    python scripts/site_branch.py restore [--branch site] [--remote origin] [--site _build/site]
    python scripts/site_branch.py save    [--branch site] [--remote origin] [--site _build/site]

``restore`` replaces the site folder with the branch's last commit (nothing to do on the first
run, when the branch does not exist yet). ``save`` commits the site folder as the branch's next
commit and pushes it. Both use git plumbing (a separate index, the site folder as work tree),
so the checkout's own files and index are never touched. Every edition's ``edition.json`` with
its versions and change log therefore survives between runs, however long the gap.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path


def git(*args: str, env: dict | None = None, data: bool = False, cwd: Path | None = None):
    result = subprocess.run(["git", *args], capture_output=True, env={**os.environ, **(env or {})}, cwd=cwd)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout if data else result.stdout.decode().strip()


def fetched(remote: str, branch: str) -> str | None:
    """The branch's last commit on the remote, or None when it does not exist yet."""
    try:
        git("fetch", "--quiet", "--depth", "1", remote, f"refs/heads/{branch}")
    except RuntimeError as exc:
        if "couldn't find remote ref" in str(exc):
            return None
        raise
    return git("rev-parse", "FETCH_HEAD")


def restore(site: Path, remote: str, branch: str) -> None:
    commit = fetched(remote, branch)
    if commit is None:
        print(f"no branch {branch!r} on {remote}: no published site yet")
        return
    archive = git("archive", "--format=tar", commit, data=True)
    incoming = site.with_name(f".{site.name}.incoming")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    try:  # extracted beside the site first: a site the filter refuses (a link out of it) replaces nothing
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(incoming, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(incoming, ignore_errors=True)
        raise RuntimeError(f"{remote}/{branch} ({commit[:12]}) holds a site that cannot be restored safely "
                           f"({exc}); {site} is unchanged") from None
    shutil.rmtree(site, ignore_errors=True)
    incoming.replace(site)
    print(f"restored {site} from {remote}/{branch} ({commit[:12]})")


def links_out_of(site: Path) -> list[Path]:
    """Links in the site that point outside it (or anywhere by an absolute path): restore refuses
    them, so save does too, before anything is committed."""
    root = site.resolve()
    found = []
    for path in site.rglob("*"):
        if path.is_symlink():
            target = os.readlink(path)
            if os.path.isabs(target) or not (path.parent / target).resolve().is_relative_to(root):
                found.append(path)
    return found


def save(site: Path, remote: str, branch: str) -> None:
    if not site.is_dir():
        raise SystemExit(f"error: no site at {site} to save")
    outside = links_out_of(site)
    if outside:
        raise RuntimeError(f"{outside[0]} links outside the site ({os.readlink(outside[0])}); the site is not saved"
                           + (f" ({len(outside) - 1} more such links)" if len(outside) > 1 else ""))
    parent = fetched(remote, branch)
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_DIR": git("rev-parse", "--absolute-git-dir"), "GIT_WORK_TREE": str(site.resolve()),
               "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        git("add", "--all", "--force", ".", env=env, cwd=site)
        tree = git("write-tree", env=env, cwd=site)
    if parent and git("rev-parse", f"{parent}^{{tree}}") == tree:
        print(f"{remote}/{branch} already holds this site")
        return
    identity = {"GIT_AUTHOR_NAME": "pcpbook", "GIT_AUTHOR_EMAIL": "pcpbook@localhost",
                "GIT_COMMITTER_NAME": "pcpbook", "GIT_COMMITTER_EMAIL": "pcpbook@localhost"}
    commit = git("commit-tree", tree, *(["-p", parent] if parent else []), "-m", "Published site", env=identity)
    git("push", "--quiet", remote, f"{commit}:refs/heads/{branch}")
    print(f"saved {site} to {remote}/{branch} ({commit[:12]})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("restore", "save"))
    parser.add_argument("--site", type=Path, default=Path("_build/site"))
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--branch", default="site")
    args = parser.parse_args(argv)
    try:
        (restore if args.action == "restore" else save)(args.site, args.remote, args.branch)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
