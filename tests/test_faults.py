"""Faults during a build: a hung chapter is stopped and named, a killed build takes its workers
and kernels with it, a full disk leaves the site as it was, and a failed Jupyter Book run says why."""

import errno
import os
import shutil
import signal
import subprocess
import sys
import time

import nbformat
import psutil
import pytest

from conftest import copy_project, fork_page
from pcpbook.build import edition, jupyterbook, runner, sphinxrun
from pcpbook.build.edition import BuildError
from pcpbook.build.site import publish


@pytest.mark.slow
def test_a_hung_chapter_is_stopped_and_named(tmp_path):
    project = copy_project(tmp_path / "project")
    chapter = fork_page(project, "2021-2024", priority=5)
    notebook = nbformat.read(chapter, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(3600)"))
    nbformat.write(notebook, chapter)
    config = project / "_config.yml"
    config.write_text(config.read_text().replace("chapter_timeout: 600", "chapter_timeout: 15"))
    started = time.monotonic()
    with pytest.raises(BuildError) as caught:
        edition.build(project, quarter="2023-24-Q4", workers=2)
    assert time.monotonic() - started < 300
    assert "p05.ipynb, a cell: ran for more than 15 s (the chapter_timeout setting" in str(caught.value)
    assert not (project / "_build" / "site" / "2023-24-Q4").exists()


@pytest.mark.slow
def test_a_build_scripted_on_standard_input_says_why_it_cannot_run_before_any_chapter_runs(tmp_path):
    """Before, every Sphinx process died re-running the main script '<stdin>' and the build
    ended in a BrokenProcessPool traceback, after all its chapters had run."""
    project = copy_project(tmp_path / "project")
    script = (f"from pcpbook.build import edition\n"
              f"edition.build({str(project)!r}, quarter='2023-24-Q4', workers=1)\n")
    result = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=600,
                            cwd=tmp_path)
    assert result.returncode == 1
    assert ("BuildError: the build cannot start its Sphinx processes from this Python session: its main "
            "script (<stdin>) is not a file") in result.stderr
    assert "python -m pcpbook build" in result.stderr and "BrokenProcessPool" not in result.stderr
    assert not (project / "_build" / "cache").exists()  # no chapter ran
    assert not (project / "_build" / "site" / "2023-24-Q4").exists()


@pytest.mark.slow
def test_a_killed_build_takes_its_workers_and_kernels_with_it(tmp_path):
    project = copy_project(tmp_path / "project")
    scratch = tmp_path / "tmp"  # where the kernels' socket folders go
    scratch.mkdir()
    build = subprocess.Popen([sys.executable, "-m", "pcpbook", "build", "--quarter", "2023-24-Q4", "--workers", "2"],
                             cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "TMPDIR": str(scratch)})
    deadline, family = time.monotonic() + 120, []
    while time.monotonic() < deadline:  # until both workers have started their kernels
        family = psutil.Process(build.pid).children(recursive=True)
        if sum("ipykernel" in " ".join(p.cmdline()) for p in family if p.is_running()) >= 2:
            break
        time.sleep(0.3)
    assert len(family) >= 4
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    time.sleep(5)
    left = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == []
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("pcpbook-kernel-")]


@pytest.mark.slow
def test_a_kernel_listens_on_sockets_of_its_own_not_on_ports_another_kernel_can_take():
    """Over TCP, jupyter_client chooses free ports and closes them before the kernel binds them;
    a kernel started in between by another worker could take one (seen in CI: "Address already
    in use", the chapter failing with "Kernel died before replying to kernel_info")."""
    kernel = runner._warm_kernel()
    try:
        assert kernel.manager.transport == "ipc"
        assert sorted(p.name for p in kernel.sockets.iterdir()) == [f"kernel-{n}" for n in range(1, 6)]
        listening = {c.laddr for c in psutil.Process(kernel.manager.provisioner.pid).net_connections(kind="unix")}
        assert {str(p) for p in kernel.sockets.iterdir()} <= listening
    finally:
        runner._retire_kernel()
    assert not kernel.sockets.exists()


def test_a_full_disk_leaves_the_site_as_it_was(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "2023-24-Q1").mkdir(parents=True)
    (site / "2023-24-Q1" / "index.html").write_text("published")
    built = tmp_path / "html"
    built.mkdir()
    (built / "index.html").write_text("new")

    def fill_the_disk(source, target, **options):
        os.makedirs(target)
        (target / "index.html").write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copytree", fill_the_disk)
    with pytest.raises(BuildError, match="No space left on device; the published site is unchanged"):
        publish(built, site, "2023-24-Q1")
    assert sorted(p.name for p in site.iterdir()) == ["2023-24-Q1"]
    assert (site / "2023-24-Q1" / "index.html").read_text() == "published"


def test_a_sphinx_warning_fails_the_book_with_the_warning_and_a_log(tmp_path):
    stage = tmp_path / "_build" / "staging" / "2023-24-Q4"
    stage.mkdir(parents=True)
    (stage / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: 'off'\n")
    (stage / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (stage / "intro.md").write_text("# Intro\n\nSee {doc}`missing-page`.\n")
    with sphinxrun.builder_pool() as pool, pytest.raises(BuildError) as caught:
        jupyterbook.run_jupyter_book(pool, stage, verbose=False)
    assert "Jupyter Book build of 2023-24-Q4 failed (warnings are errors)" in str(caught.value)
    assert "unknown document: 'missing-page'" in str(caught.value)
    assert "missing-page" in (tmp_path / "_build" / "failed" / "2023-24-Q4-jupyter-book-html.log").read_text()


def test_a_failed_jupyter_book_run_says_why():
    critical = ("Running Jupyter-Book v1.0.4\nSource Folder: x\n\n===============\n\nThere was an error in building your "
                "book. Look above for the cause.\n\n===============\nTraceback (most recent call last):\n  File \"x\"\n"
                "RuntimeError: the theme could not be found\n")
    assert "RuntimeError: the theme could not be found" in "\n".join(jupyterbook.reasons(critical))
    coloured = "\x1b[91m/x/intro.md:: WARNING: toctree contains reference to nonexisting document 'missing'\x1b[39;49;00m"
    assert jupyterbook.reasons(coloured) == ["/x/intro.md:: WARNING: toctree contains reference to nonexisting document "
                                          "'missing'"]
