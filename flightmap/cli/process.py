"""How a command-line process starts and ends: allocation settings made before numpy and
pyarrow load (:func:`tune_process`), and an exit without the collector's last passes
(:func:`end_quickly`). A library user's process (a notebook, the tests) is left as it is:
only :func:`flightmap.cli.main` calls these.

The figures below are from benchmarks/README.md (issue 17): on this project's two-core Linux
machine, page faults and their system time were the largest and least steady part of a large
read or render, and Python's own bookkeeping a tenth of a small render. glibc's malloc is left
as it is: keeping freed memory for reuse (``mallopt``: a high mmap threshold, no trimming)
halved the page faults of a 5M-line OpenSky ``convert`` (0.4 s less system time) but made a
1M-fix KML ``convert`` 27 s -> 33-35 s (system time 8.6 s -> 15-16 s, peak 3.8 -> 4.3-4.6 GB).
"""

from __future__ import annotations

import gc
import os

__all__ = ["GC_YOUNG_THRESHOLD", "end_quickly", "tune_process"]

#: Container allocations between two collections of the youngest generation (Python: 700).
GC_YOUNG_THRESHOLD = 10_000


def tune_process() -> None:
    """Allocation settings for a command-line process, set before numpy and pyarrow load.

    Before numpy is imported, its huge-page advice is turned off for this process (unless
    ``NUMPY_MADVISE_HUGEPAGE`` is set): numpy asks the kernel for transparent huge pages on
    every array of 4 MB or more, and where the kernel then defragments memory on the spot
    (``/sys/kernel/mm/transparent_hugepage/defrag`` = ``madvise``, a common default) the
    analysis' short-lived arrays cost more in page faults than huge pages save: a 1M-point
    ``render`` spent 1.3-2.5 s of system time with the advice and 0.4 s without (3.6 s
    against 5.0-7.0 s, benchmarks/README.md). For the same reason Arrow allocates with the
    system allocator (unless ``ARROW_DEFAULT_MEMORY_POOL`` is set): with its default, mimalloc,
    the same render's system time jumped from 0.4 s to 1.5-2.8 s in one run out of three on
    this shared machine, never with the system allocator (which every pyarrow build has).
    A variable the user set is left as it is; in a process that imported numpy or pyarrow
    already (a notebook, the tests) the settings change nothing.

    Python's cyclic garbage collector runs its youngest generation every
    :data:`GC_YOUNG_THRESHOLD` container allocations instead of every 700: the imports of
    pandas and folium alone allocate some 200,000 objects and were collected about 300 times,
    40-80 ms of the default ``render`` (0.74 s -> 0.70 s). The data itself lives in numpy and
    Arrow buffers, outside the collector; cycles are still collected, a little later.
    """
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


def end_quickly() -> None:
    """Let the process end without the garbage collector's passes over every object.

    At exit Python collects cyclic garbage several times while it tears the modules down, each
    pass over every object pandas, folium and flightmap created (some 80,000 after the imports
    alone): about 60-90 ms of every command, after its work is done. Frozen objects are left to
    the operating system instead; everything else happens as usual (files were closed and
    synced by the commands, atexit handlers run, output streams are flushed, objects not in a
    reference cycle are freed as their modules are cleared).
    """
    gc.freeze()
