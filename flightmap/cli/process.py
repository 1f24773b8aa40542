"""How a command-line process starts and ends: allocation settings made before numpy and
pyarrow load (:func:`tune_process`), and an exit without the collector's last passes
(:func:`end_quickly`). A library user's process (a notebook, the tests) is left as it is:
only :func:`flightmap.cli.main` calls these.

The figures below are from benchmarks/README.md (issue 17): on this project's two-core Linux
machine, page faults and their system time were the largest and least steady part of a large
read or render, and Python's own bookkeeping a tenth of a small render.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys

__all__ = ["GC_YOUNG_THRESHOLD", "MALLOC_SETTINGS", "end_quickly", "tune_process"]

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

    With glibc, freed memory is kept for reuse (:data:`MALLOC_SETTINGS`) unless the user set
    glibc's malloc variables.
    """
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)
    _tune_malloc()


#: glibc ``mallopt`` parameters (number: value, bytes) for a command-line process: blocks under
#: 1 GiB come from the heap rather than from their own mapping (M_MMAP_THRESHOLD, -3), the heap
#: is not given back to the system below 2 GiB free at its top (M_TRIM_THRESHOLD, -1) and grows
#: 256 MiB at a time (M_TOP_PAD, -2). A column freed by one step is then reused by the next
#: instead of being unmapped and faulted in again page by page: a 5M-line OpenSky ``convert``
#: took 360,000-390,000 page faults instead of 660,000-710,000, and 0.8-0.9 s of system time
#: instead of 1.3-1.5 s (peak memory 0-9 % higher, pages are kept until the process ends).
MALLOC_SETTINGS = {-3: 1 << 30, -1: 1 << 31, -2: 256 << 20}
_MALLOC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def _tune_malloc() -> bool:
    """Apply :data:`MALLOC_SETTINGS` where the C library is glibc and the user set none of
    its malloc variables (``MALLOC_*_``, ``GLIBC_TUNABLES``); whether they were applied."""
    if not sys.platform.startswith("linux") or "GLIBC_TUNABLES" in os.environ:
        return False
    if any(v in os.environ for v in _MALLOC_VARIABLES):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return all(mallopt(param, value) == 1 for param, value in MALLOC_SETTINGS.items())


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
