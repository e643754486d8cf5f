"""Optional sampling profiles of the server's workers during each measured window.

``run.py --profile DIR`` attaches py-spy (``pip install py-spy``; not a project
dependency) to every worker for the counted part of each phase and writes, per phase
and worker, the collapsed stacks (``PHASE-PID.txt``; speedscope and flamegraph.pl draw
them), from which ``top_frames()`` ranks where the time went. py-spy samples from
outside the process, so the worker runs unmodified; it costs a little CPU, so profiled
runs are for finding causes, not for the figures.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from procs import CpuMeter


def find_py_spy() -> Path | None:
    beside = Path(sys.executable).parent / "py-spy"
    if beside.exists():
        return beside
    found = shutil.which("py-spy")
    return Path(found) if found else None


class ProfiledWindow:
    """A CpuMeter that also runs py-spy on the workers while it measures."""

    def __init__(self, meter: CpuMeter, workers: Callable[[], Iterable[int]], out_dir: Path,
                 py_spy: Path, rate: int = 250) -> None:
        self.meter = meter
        self.workers = workers
        self.out_dir = out_dir
        self.py_spy = py_spy
        self.rate = rate
        self.phase = "phase"
        self._running: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self) -> None:
        self.meter.start()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for pid in self.workers():
            out = self.out_dir / f"{self.phase}-{pid}.txt"
            # --nonblocking: sample without pausing the worker, so it runs at full speed.
            # --gil: only samples where Python holds the GIL. Without it, time spent
            # waiting to take the GIL back from granian's threads after a syscall shows
            # up as the syscall's line (a socket write), which misleads.
            proc = subprocess.Popen(
                [str(self.py_spy), "record", "--pid", str(pid), "--rate", str(self.rate),
                 "--format", "raw", "--output", str(out), "--nonblocking", "--gil"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self._running.append((proc, out))

    def stop(self) -> dict[str, float | None]:
        cpu = self.meter.stop()
        # SIGINT makes py-spy stop sampling and write its output.
        for proc, _ in self._running:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
        for proc, _ in self._running:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._running = []
        return cpu


def top_frames(collapsed: Iterable[Path], limit: int = 25) -> tuple[int, list[tuple[str, float]],
                                                                     list[tuple[str, float]]]:
    """From py-spy's collapsed stacks: total samples, and the frames with the largest
    share of samples *including* what they call, and *in themselves* (the leaf)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for path in collapsed:
        try:
            lines = path.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            total += count
            frames = stack.split(";")
            for frame in set(frames):
                inclusive[frame] += count
            own[frames[-1]] += count
    if total == 0:
        return 0, [], []

    def share(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(frame, 100.0 * n / total) for frame, n in counter.most_common(limit)]

    return total, share(inclusive), share(own)


def main(argv: list[str]) -> int:
    """``python bench/profiling.py DIR PHASE``: print the top frames of one phase."""
    directory, phase = Path(argv[0]), argv[1]
    total, inclusive, own = top_frames(sorted(directory.glob(f"{phase}-*.txt")),
                                       int(argv[2]) if len(argv) > 2 else 25)
    print(f"{phase}: {total} samples")
    print("inclusive (the frame and what it calls):")
    for frame, pct in inclusive:
        print(f"  {pct:5.1f}%  {frame}")
    print("own (the frame itself):")
    for frame, pct in own:
        print(f"  {pct:5.1f}%  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
