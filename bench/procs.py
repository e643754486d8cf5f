"""CPU time of process trees, read from /proc, so a reader can tell who used the cores.

On a 2-core machine the load generator, the app workers, PostgreSQL and Redis all
compete for the same CPU; a figure means little unless we know who was busy. Linux
only: elsewhere every figure is reported as unknown (None) rather than guessed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def available() -> bool:
    return (PROC / "self" / "stat").exists()


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    return text.rsplit(")", 1)[1].split()


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of one process (all its threads), in clock ticks."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    # After the name: state(0) ppid(1) … utime(11) stime(12).
    return int(fields[11]) + int(fields[12])


def children_map() -> dict[int, list[int]]:
    """Every process's children, from one scan of /proc."""
    tree: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def descendants(root: int, tree: dict[int, list[int]] | None = None) -> set[int]:
    """``root`` and everything below it."""
    tree = children_map() if tree is None else tree
    found = {root}
    stack = [root]
    while stack:
        for child in tree.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all cores together since boot, from /proc/stat."""
    first = (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(v) for v in first[:8]]  # user nice system idle iowait irq softirq steal
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# A group is named by a function returning its current pids: trees change while we run
# (PostgreSQL forks a backend per connection), so membership is looked up at each read.
PidSource = Callable[[], Iterable[int]]


@dataclass
class CpuMeter:
    """CPU seconds used by named groups of processes between ``start()`` and ``stop()``."""

    groups: dict[str, PidSource]
    _start: dict[str, dict[int, int]] = field(default_factory=dict)
    _t0: float = 0.0
    _machine0: tuple[int, int] = (0, 0)

    def _read(self) -> dict[str, dict[int, int]]:
        out: dict[str, dict[int, int]] = {}
        for name, source in self.groups.items():
            ticks: dict[int, int] = {}
            for pid in source():
                value = cpu_ticks(pid)
                if value is not None:
                    ticks[pid] = value
            out[name] = ticks
        return out

    def start(self) -> None:
        if not available():
            return
        self._start = self._read()
        self._machine0 = machine_busy_ticks()
        self._t0 = time.monotonic()

    def stop(self) -> dict[str, float | None]:
        """Per group, the share of one core used, in percent (200 = both cores of two)."""
        if not available() or not self._start:
            unknown: dict[str, float | None] = dict.fromkeys([*self.groups, "other", "machine"])
            return unknown
        end = self._read()
        machine1 = machine_busy_ticks()
        wall = max(time.monotonic() - self._t0, 1e-9)
        usage: dict[str, float | None] = {}
        for name, ticks in end.items():
            before = self._start.get(name, {})
            # A process that appeared during the phase counts from zero; one that ended
            # during it is lost (rare here: pools are opened during the warm-up).
            used = sum(t - before.get(pid, 0) for pid, t in ticks.items())
            usage[name] = round(100.0 * used / TICKS / wall, 1)
        busy = machine1[0] - self._machine0[0]
        total = max(machine1[1] - self._machine0[1], 1)
        machine = 100.0 * (os.cpu_count() or 1) * busy / total
        # Whatever else ran meanwhile (kernel network work, other people's jobs): a large
        # figure here means the run was disturbed and its numbers are suspect.
        ours = sum(v for v in usage.values() if v is not None)
        usage["other"] = round(max(machine - ours, 0.0), 1)
        usage["machine"] = round(machine, 1)
        return usage
