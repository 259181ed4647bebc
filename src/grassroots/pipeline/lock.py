"""One run at a time per set of output directories.

Each output directory holds a lock file (.grassroots.lock) that a run keeps locked (flock) while it
works in the directory, with its process id inside. A second run on any of the same directories
does not wait: it stops at once and says which process holds the lock. The lock goes with the
process, so a killed run leaves nothing to clean up.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

LOCK_NAME = ".grassroots.lock"


class Locked(Exception):
    """Another run holds the lock of a directory."""


@contextmanager
def _lock(directory: Path) -> Iterator[None]:
    path = Path(directory) / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise Locked(f"another run (process {holder}) is using {directory}; wait for it to finish, "
                         "or give other output directories") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


@contextmanager
def hold(*directories: Path) -> Iterator[None]:
    """Hold the locks of every directory (in a fixed order) for the duration of the block."""
    with ExitStack() as stack:
        for directory in sorted({Path(d).resolve() for d in directories}):
            stack.enter_context(_lock(directory))
        yield
