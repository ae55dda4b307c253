"""The garbage collector in the build's processes: the libraries' objects are frozen out of it
after the imports, and a process that builds one book collects rarely (pcpbook.build.collector).
How much time it saves is measured by scripts/bench.py, not here."""

import gc
import weakref

import pytest

from pcpbook.build import collector, sphinxrun
from pcpbook.build.kernel import WarmKernel

SOME_LIBRARY = 50_000  # pandas, statsmodels or Sphinx alone leave more objects than this


@pytest.mark.slow
def test_the_warm_kernel_freezes_what_its_imports_made(tmp_path):
    kernel = WarmKernel()
    try:
        kernel.start()
        answer = tmp_path / "frozen.txt"
        kernel.run(f"import gc; open({str(answer)!r}, 'w').write(str(gc.get_freeze_count()))")
        assert int(answer.read_text()) > SOME_LIBRARY
    finally:
        kernel.stop()


def test_a_book_process_starts_with_sphinx_frozen_and_collects_rarely():
    with sphinxrun.builder_pool(workers=1) as pool:
        thresholds = pool.submit(gc.get_threshold).result()
    with sphinxrun.builder_pool(workers=1) as pool:  # a process builds one book only
        frozen = pool.submit(gc.get_freeze_count).result()
    assert thresholds == collector.ONE_BOOK_THRESHOLDS
    assert frozen > SOME_LIBRARY


def test_what_is_already_garbage_is_collected_before_the_freeze_not_kept_for_ever():
    class Cycle:
        pass

    cycle = Cycle()
    cycle.itself = cycle
    alive = weakref.ref(cycle)
    del cycle
    try:
        collector.freeze_imports()
        assert alive() is None
    finally:
        gc.unfreeze()  # this test process goes on as it was
