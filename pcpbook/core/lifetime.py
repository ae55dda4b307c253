"""Processes that end with the build that started them, even one killed with SIGKILL, which
runs no clean-up: Linux signals a process whose parent ends (prctl PR_SET_PDEATHSIG). Each
process the build starts asks for it: the chapter workers, the process Sphinx builds are forked
from, and each Sphinx process forked from it (whose parent is that process, not the build)."""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Have ``sig`` sent to this process when its parent ends; False where Linux's prctl is
    not there (the process then ends with its pool as usual)."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig) == 0
    except (OSError, AttributeError):
        return False


def orphaned(parent: int | None = None) -> bool:
    """Whether the parent already ended before the request took effect (this process then has
    another parent: ``parent`` when known, else init or a subreaper)."""
    return os.getppid() != parent if parent is not None else os.getppid() == 1
