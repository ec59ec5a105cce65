"""The data directory's one start-up check: it exists (or can be made) and this user can write it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from knowledge.errors import DataDirError


def require_writable(data_dir: Path) -> Path:
    """Create `data_dir` if needed and prove it writable by writing and removing a file;
    DataDirError naming the folder, the reason and the fix otherwise."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=data_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DataDirError(not_writable(data_dir, exc)) from exc
    return data_dir


def not_writable(data_dir: Path, exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return (f"The data directory {data_dir} is not writable ({reason}): give the user running "
            f"pdbot write access (e.g. `chown -R pdbot: {data_dir}`), or point PDBOT_DATA_DIR "
            f"(or --data-dir) at a folder it can write.")
