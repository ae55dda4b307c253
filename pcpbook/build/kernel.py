"""A worker's warm kernel: one IPython kernel started once, with the heavy libraries imported,
that runs notebook after notebook.

It talks over Unix sockets in a folder of its own: over TCP, jupyter_client picks free ports
and closes them before the kernel binds them, and a kernel another worker starts in between
can take one (the kernel then dies with "Address already in use"). It keeps two clients open
for its life: a blocking one for set-up code outside any notebook, and the asynchronous one
nbclient runs every notebook through (a new client per notebook costs a kernel-info round trip
and a fixed 0.2 s wait for stray output, and nbclient leaves open the clients it did not make).
Its history is kept in memory, never written to the user's IPython profile.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import KernelManager
from jupyter_core.utils import run_sync

WARM_UP = ("import pandas, numpy, scipy.stats, statsmodels.api, statsmodels.formula.api, seaborn, "
           "matplotlib.pyplot, pymannkendall, pcpbook.present.chapter, pcpbook.build.collector\n"
           "pcpbook.build.collector.freeze_imports()")  # out of every later collection
HISTORY_IN_MEMORY = "--HistoryManager.hist_file=:memory:"
START_TIMEOUT_SECONDS = 60
SET_UP_TIMEOUT_SECONDS = 300


class KernelSetUpError(RuntimeError):
    """Code the build runs in the kernel outside any notebook failed."""


class WarmKernel:
    def __init__(self) -> None:
        sockets = Path(tempfile.mkdtemp(prefix="pcpbook-kernel-"))
        # nbclient needs an asynchronous client: with a blocking one it waits for output
        # forever and its cell timeout never fires
        self.manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"),
                                     client_class="jupyter_client.asynchronous.AsyncKernelClient")
        self.control = None    # blocking client for set-up code
        self.notebooks = None  # asynchronous client for nbclient

    @property
    def sockets(self) -> Path:
        return Path(self.manager.ip).parent

    def start(self) -> None:
        self.manager.start_kernel(extra_arguments=[HISTORY_IN_MEMORY])
        # clients with the manager as parent: alive means the process runs, not a heartbeat
        self.control = self.manager.blocking_client()
        self.control.start_channels()
        self.control.wait_for_ready(timeout=START_TIMEOUT_SECONDS)
        self.notebooks = self.manager.client()
        self.notebooks.start_channels()
        run_sync(self.notebooks.wait_for_ready)(timeout=START_TIMEOUT_SECONDS)
        self.run(WARM_UP)

    def run(self, code: str) -> None:
        reply = self.control.execute_interactive(code, timeout=SET_UP_TIMEOUT_SECONDS,
                                                 output_hook=lambda message: None)
        if reply["content"]["status"] != "ok":
            raise KernelSetUpError(f"kernel set-up failed: {reply['content'].get('evalue')}")

    def prepare_for(self, folder: str) -> None:
        """Clear the namespace the last notebook left, close its figures and move to ``folder``."""
        self.run("from pcpbook.build.kernel import reset_namespace as _reset\n"
                 "_reset(get_ipython())\n"
                 "import os as _os, matplotlib.pyplot as _plt\n"
                 f"_plt.close('all'); _os.chdir({folder!r})\n"
                 "del _os, _plt")

    def is_alive(self) -> bool:
        return self.manager.is_alive()

    def stop(self) -> None:
        """Close the clients, kill the kernel (if it started) and remove its sockets."""
        try:
            for client in (self.control, self.notebooks):
                if client is not None:
                    client.stop_channels()
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
        finally:
            shutil.rmtree(self.sockets, ignore_errors=True)

    def kill(self) -> None:
        """From a signal handler: kill the process outright (the manager's own shutdown runs an
        event loop, which the signal may have interrupted) and remove the sockets."""
        process = getattr(self.manager.provisioner, "process", None)
        if process is not None:
            process.kill()
        shutil.rmtree(self.sockets, ignore_errors=True)


def reset_namespace(shell) -> None:
    """Run in the kernel between notebooks: IPython's ``reset(new_session=False)`` without the
    full garbage collection it ends with (about 0.1 s with pandas and statsmodels loaded, a
    fifth of a chapter's run); Python's collector still runs as it always does."""
    collect = gc.collect
    gc.collect = lambda *args, **kwargs: 0
    try:
        shell.reset(new_session=False)
    finally:
        gc.collect = collect
