"""The benchmark's output: a table for people, then one JSON line for programs."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from loadgen import PhaseResult

CPU_GROUPS = ("server", "postgres", "redis", "loadgen", "other", "machine")


def machine() -> dict[str, Any]:
    """Cores, memory and processor, so figures from different machines are not mixed up."""
    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version(),
                            "system": f"{platform.system()} {platform.release()}"}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(results: dict[str, PhaseResult | None], labels: dict[str, str],
          skipped: dict[str, str]) -> str:
    """One row per phase: rate, latency, share of expected answers, CPU per group."""
    head = (f"{'phase':<34}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ok %':>7}  "
            + "".join(f"{g:>9}" for g in CPU_GROUPS))
    lines = [head, "-" * len(head)]
    for key, result in results.items():
        label = labels.get(key, key)
        if result is None:
            lines.append(f"{label:<34}skipped: {skipped.get(key, '')}")
            continue
        cpu = "".join(f"{_fmt(result.cpu.get(g), 0) + '%':>9}" if result.cpu.get(g) is not None
                      else f"{'-':>9}" for g in CPU_GROUPS)
        lines.append(f"{label:<34}{_fmt(result.rate, 0):>10}{_fmt(result.percentile(0.5)):>9}"
                     f"{_fmt(result.percentile(0.99)):>9}{_fmt(100 * result.ok_share()):>7}  "
                     f"{cpu}")
    lines.append("CPU: share of one core during the measured window (this machine has "
                 f"{os.cpu_count()} cores, so at most {100 * (os.cpu_count() or 1)}%); "
                 "other: the kernel and any other process.")
    lines += ["", work_table(results, labels)]
    for key, result in results.items():
        if result is None:
            continue
        unexpected = {s: n for s, n in result.statuses.items() if s != 200}
        if unexpected:
            lines.append(f"  {labels.get(key, key)}: unexpected answers {unexpected}")
            for status, bodies in result.samples.items():
                lines.append(f"    {status}: {bodies[0]!r}")
    return "\n".join(lines)


WORK_COLUMNS = (("server", "app ms"), ("postgres", "pg ms"), ("redis", "redis ms"),
                ("loadgen", "client ms"), ("pg_transactions", "pg xacts"),
                ("redis_commands", "redis cmds"))


def work_per_request(result: PhaseResult) -> dict[str, float | None]:
    return result.cpu_ms_per_request() | result.work


def work_table(results: dict[str, PhaseResult | None], labels: dict[str, str]) -> str:
    """What one request cost: CPU milliseconds per process group and database work.
    These hold steady when the machine is busy with other things; rates do not."""
    head = f"{'per request':<34}" + "".join(f"{title:>11}" for _, title in WORK_COLUMNS)
    lines = [head, "-" * len(head)]
    for key, result in results.items():
        if result is None:
            continue
        work = work_per_request(result)
        lines.append(f"{labels.get(key, key):<34}" + "".join(
            f"{_fmt(work.get(name), 3 if name in CPU_GROUPS else 1):>11}"
            for name, _ in WORK_COLUMNS))
    return "\n".join(lines)


def phase_fields(key: str, result: PhaseResult | None) -> dict[str, Any]:
    if result is None:
        return {f"{key}_per_s": None}
    return {
        f"{key}_per_s": round(result.rate, 1),
        f"{key}_p50_ms": _round(result.percentile(0.5)),
        f"{key}_p99_ms": _round(result.percentile(0.99)),
        f"{key}_ok": round(result.ok_share(), 4),
        f"{key}_requests": result.requests,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)
