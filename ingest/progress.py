"""A rich progress bar for embedding, shown only on long runs in a terminal."""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def embedding_progress():
    """Yield a callback `progress(n, total)` that drives a progress bar once a run is long."""
    import sys

    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("embedding"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), transient=True) as bar:
        task = None

        def advance(n: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task("embed", total=total)
            bar.advance(task, n)

        yield advance
