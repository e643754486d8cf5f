"""prometheus_client's multiprocess mode, for ``serve``'s several workers.

Each worker writes its values to files in ``PROMETHEUS_MULTIPROC_DIR``; a scrape, which
one worker answers, adds up every worker's files. ``serve`` sets the directory before
its workers start (a fresh temporary one, unless the operator names one, which is then
emptied: values of an earlier run must not count). The live gauges of a worker that died
(killed, replaced by granian) are dropped at the next scrape.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import multiprocess, values

from ideabox.platform.embedded.processes import pid_alive

ENV = "PROMETHEUS_MULTIPROC_DIR"
# A live gauge's file, by its writer's process id: gauge_livemax_1234.db
_LIVE_FILE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


@contextlib.contextmanager
def shared_by_workers() -> Iterator[Path]:
    """The directory the workers started within this block write their metrics to."""
    named = os.environ.get(ENV)
    with contextlib.ExitStack() as stack:
        if named:
            directory = Path(named)
            directory.mkdir(parents=True, exist_ok=True)
            for old in directory.glob("*.db"):
                old.unlink()
        else:
            directory = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="ideabox-metrics-")))
            os.environ[ENV] = str(directory)
        # prometheus_client picks how values are kept when it is imported; it may have
        # been imported already here, and the workers are forked from this process.
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        yield directory


def in_use() -> bool:
    return bool(os.environ.get(ENV))


def forget_dead_workers() -> None:
    """Drop the live gauges of workers that are gone (their last values would count)."""
    directory = os.environ.get(ENV)
    if not directory:
        return
    for path in Path(directory).glob("gauge_live*.db"):
        found = _LIVE_FILE.match(path.name)
        if found and not pid_alive(int(found.group(1))):
            multiprocess.mark_process_dead(int(found.group(1)), directory)  # type: ignore[no-untyped-call]
