"""ideabox benchmark: the monthly promotion and the exports at scale.

    python bench/promotion.py            # 10 million votes across 100,000 ideas
    python bench/promotion.py --quick    # 1 million votes across 10,000 ideas

Starts a throw-away PostgreSQL and Redis (bench/server.py), loads one purpose holding
every idea and vote with COPY (bench/promotion_data.py), then measures:

1. the ranking query of one month (EXPLAIN ANALYZE), and the whole promotion of every
   month of the window, one after the other (ranking, recording, status changes and the
   notifications to every author, voter and follower), in process;
2. ``ideabox promote --verify`` of one month, as a command;
3. the peak memory (RSS) of exporting ~1,000 and ~10,000 promoted ideas in every
   format: of the ``ideabox export`` command, and of a ``serve`` worker streaming the
   download. Flat means the 10,000 figure is close to the 1,000 one.

Prints a table, then one JSON line. Run by hand; never part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from project import in_project_venv

in_project_venv(__file__)

import asyncio  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from typing import Any  # noqa: E402

import asyncpg  # noqa: E402
import report  # noqa: E402
from promotion_data import CPH, Loaded, load  # noqa: E402
from server import Service, Stack, embedded_stack, free_port, ideabox  # noqa: E402

from ideabox.platform.db import planned_for_these_parameters  # noqa: E402
from ideabox.platform.months import month_bounds, month_label  # noqa: E402
from ideabox.platform.settings import load_settings  # noqa: E402
from ideabox.promotion.service import RANK_QUERY, promote_on_own  # noqa: E402
from ideabox.runtime import connected  # noqa: E402

FORMATS = ("csv", "csv-excel", "xlsx", "json")
TARGET_SECONDS = 10.0

# Measures the peak RSS of the command it runs (ru_maxrss of its waited-for children).
_PEAK_RSS = ("import resource, subprocess, sys\n"
             "code = subprocess.run(sys.argv[1:]).returncode\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
             "sys.exit(code)\n")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def explain_ranking(url: str, month: date) -> dict[str, Any]:
    """The ranking query of ``month`` for the big purpose, run under EXPLAIN ANALYZE."""
    conn: asyncpg.Connection = await asyncpg.connect(url)
    try:
        purpose = await conn.fetchrow(
            "SELECT id, promote_top_n, min_votes, eligibility FROM purposes "
            "WHERE slug = 'bench-stor'")
        start, end = month_bounds(month, CPH)
        votes = await conn.fetchval("SELECT count(*) FROM votes WHERE created_at >= $1 "
                                    "AND created_at < $2", start, end)
        args = (purpose["id"], start, end, purpose["promote_top_n"], purpose["min_votes"],
                purpose["eligibility"], datetime.now(UTC))
        plan = await conn.fetchval("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + RANK_QUERY,
                                   *args)
        text = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + RANK_QUERY, *args)
    finally:
        await conn.close()
    top = json.loads(plan)[0]
    return {"month": month_label(month), "votes_in_month": votes,
            "execution_ms": round(top["Execution Time"], 1),
            "plan": "\n".join(r[0] for r in text)}


async def promote_months(stack: Stack, loaded: Loaded) -> list[dict[str, Any]]:
    """Promote every month of the big purpose in turn; then the export months of the
    export purposes (not timed one by one)."""
    settings = load_settings({**stack.env, "IDEABOX_DATABASE_URL": stack.database_url,
                              "IDEABOX_REDIS_URL": stack.redis_url})
    rows: list[dict[str, Any]] = []
    async with connected(settings) as state:
        async with state.pool.acquire() as conn:
            purpose = await conn.fetchrow("SELECT id, promote_top_n, min_votes, eligibility "
                                          "FROM purposes WHERE slug = $1", loaded.big_slug)
            # Write out what the load left dirty, so it is not counted as promotion time.
            await conn.execute("CHECKPOINT")
        for month in loaded.months:
            start, end = month_bounds(month, CPH)
            async with state.pool.acquire() as conn:
                before = await conn.fetchval("SELECT count(*) FROM notifications")
                began = time.perf_counter()
                # Planned as the promotion plans it.
                async with conn.transaction(), planned_for_these_parameters(conn):
                    await conn.fetch(RANK_QUERY, purpose["id"], start, end,
                                     purpose["promote_top_n"], purpose["min_votes"],
                                     purpose["eligibility"], state.clock.now())
                ranking = time.perf_counter() - began
            began = time.perf_counter()
            result = await promote_on_own(state, loaded.big_slug, month,
                                          trigger="promotion:cli", now=state.clock.now())
            seconds = time.perf_counter() - began
            async with state.pool.acquire() as conn:
                told = await conn.fetchval("SELECT count(*) FROM notifications") - before
            rows.append({"month": result.month, "seconds": round(seconds, 2),
                         "ranking_seconds": round(ranking, 2),
                         "promoted": [(i.idea_id, i.votes_in_month) for i in result.items],
                         "notifications": told})
            say(f"  promoted {result.month} in {seconds:.2f} s (ranking {ranking:.2f} s): "
                f"{[i.votes_in_month for i in result.items]} votes, {told:,} notifications")
        began = time.perf_counter()
        for month in loaded.export_months:
            for slug in loaded.export_slugs:
                await promote_on_own(state, slug, month, trigger="promotion:cli",
                                     now=state.clock.now())
        say(f"  promoted the export months of {len(loaded.export_slugs)} purposes in "
            f"{time.perf_counter() - began:.1f} s")
        async with state.pool.acquire() as conn:
            # A public response on every tenth promoted idea, so the column has text.
            await conn.execute("""
                WITH answered AS (
                    UPDATE ideas SET status = 'accepted' WHERE id IN (
                        SELECT idea_id FROM promotions WHERE rank % 10 = 1)
                    RETURNING id)
                INSERT INTO idea_status_changes (idea_id, from_status, to_status, trigger,
                                                 response, response_html)
                SELECT id, 'promoted', 'accepted', 'response',
                       'Forvaltningen har vedtaget idéen og går i gang i det nye år.',
                       '<p>Forvaltningen har vedtaget idéen og går i gang i det nye år.</p>'
                FROM answered""")
    return rows


def verify(stack: Stack, month: date) -> dict[str, Any]:
    began = time.perf_counter()
    done = ideabox(stack, "promote", "--verify", "--month", month_label(month), "--purpose",
                   "bench-stor")
    return {"month": month_label(month), "seconds": round(time.perf_counter() - began, 1),
            "exit_code": done.returncode, "output": done.stdout.strip()}


def cli_export_rss(stack: Stack, month: date, fmt: str, folder: Path) -> dict[str, Any]:
    target = folder / f"export-{month_label(month)}-{fmt}"
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK_RSS, sys.executable, "-m", "ideabox",
                           "export", "--month", month_label(month), "--format", fmt, "-o",
                           str(target)], env=stack.env, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"ideabox export failed:\n{done.stderr[-2000:]}")
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    rows = int(done.stdout.split()[1])
    return {"rows": rows, "peak_rss_mib": round(peak_kib / 1024, 1),
            "seconds": round(seconds, 1), "bytes": target.stat().st_size}


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def server_export_rss(service: Service, token: str, month: date, fmt: str) -> dict[str, Any]:
    """Peak RSS of the worker while it streams one export: its high-water mark is reset
    first (``clear_refs``), then read after the last byte."""
    pids = service.worker_pids()
    resettable = True
    for pid in pids:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            resettable = False
    before = max(_status_kib(pid, "VmRSS") for pid in pids)
    url = (f"{service.base_url}/api/v1/exports/top-ideas?month={month_label(month)}"
           f"&format={fmt}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    size = 0
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(65536):
            size += len(chunk)
    seconds = time.perf_counter() - began
    peak = max(_status_kib(pid, "VmHWM") for pid in pids)
    return {"rss_before_mib": round(before / 1024, 1), "peak_rss_mib": round(peak / 1024, 1),
            "peak_is_per_export": resettable, "seconds": round(seconds, 2), "bytes": size}


def exports(stack: Stack, loaded: Loaded) -> dict[str, dict[str, dict[str, Any]]]:
    """Per format and month: the command's and the streaming worker's peak RSS."""
    out: dict[str, dict[str, dict[str, Any]]] = {fmt: {} for fmt in FORMATS}
    with tempfile.TemporaryDirectory(prefix="ideabox-bench-export-") as folder:
        for month in loaded.export_months:
            for fmt in FORMATS:
                result = cli_export_rss(stack, month, fmt, Path(folder))
                out[fmt][month_label(month)] = {"rows": result["rows"], "cli": result}
                say(f"  ideabox export {fmt}, {result['rows']:,} rows: peak RSS "
                    f"{result['peak_rss_mib']} MiB, {result['seconds']} s")
    # No background work in the measured worker: the cache rebuild at start-up would
    # count toward its peak.
    quiet = dataclasses.replace(stack, env={**stack.env, "IDEABOX_BACKGROUND_TASKS": "false"})
    with Service(quiet, free_port(), 1) as service:
        for month in loaded.export_months:
            for fmt in FORMATS:
                result = server_export_rss(service, loaded.staff_token, month, fmt)
                out[fmt][month_label(month)]["server"] = result
                say(f"  GET export {fmt} {month_label(month)}: worker peak RSS "
                    f"{result['peak_rss_mib']} MiB (before {result['rss_before_mib']}), "
                    f"{result['seconds']} s")
    return out


def table(loaded: Loaded, explain: dict[str, Any], months: list[dict[str, Any]],
          checked: dict[str, Any], exported: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [f"data: {loaded.counts}; load: "
             + ", ".join(f"{k} {v:.0f} s" for k, v in loaded.seconds.items()),
             "",
             f"ranking query, {explain['month']} ({explain['votes_in_month']:,} votes in the "
             f"month): {explain['execution_ms']:,.0f} ms",
             "",
             f"{'month':<10}{'ranking s':>10}{'promotion s':>12}{'notifications':>15}  "
             "votes in month of the promoted"]
    for row in months:
        lines.append(f"{row['month']:<10}{row['ranking_seconds']:>10.2f}{row['seconds']:>12.2f}"
                     f"{row['notifications']:>15,}  {[v for _, v in row['promoted']]}")
    seconds = [row["seconds"] for row in months]
    lines += [f"promotion of one month: median {statistics.median(seconds):.2f} s, "
              f"max {max(seconds):.2f} s (target < {TARGET_SECONDS:.0f} s)", "",
              f"promote --verify {checked['month']}: {checked['seconds']} s, exit code "
              f"{checked['exit_code']} ({checked['output']})", "",
              f"{'export':<12}{'rows':>8}{'command peak RSS MiB':>22}{'worker peak RSS MiB':>21}"
              f"{'worker s':>10}"]
    for fmt, by_month in exported.items():
        for entry in by_month.values():
            server = entry.get("server", {})
            lines.append(f"{fmt:<12}{entry['rows']:>8,}{entry['cli']['peak_rss_mib']:>22.1f}"
                         f"{server.get('peak_rss_mib', float('nan')):>21.1f}"
                         f"{server.get('seconds', float('nan')):>10.2f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 million votes across 10,000 ideas instead of 10 million "
                             "across 100,000")
    parser.add_argument("--months", type=int, default=12,
                        help="calendar months the votes are spread over (default 12)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args(argv)
    ideas, votes = (10_000, 1_000_000) if args.quick else (100_000, 10_000_000)
    started = time.monotonic()
    with embedded_stack(keep=args.keep) as stack:
        say(f"data dir {stack.data_dir}; loading {votes:,} votes across {ideas:,} ideas …")
        loaded = asyncio.run(load(stack.database_url, ideas=ideas, votes=votes,
                                  months=args.months, say=say))
        say(f"loaded {loaded.counts}: {loaded.seconds}")
        middle = loaded.months[len(loaded.months) // 2]
        explain = asyncio.run(explain_ranking(stack.database_url, middle))
        say(explain["plan"])
        months = asyncio.run(promote_months(stack, loaded))
        checked = verify(stack, middle)
        say(f"verify: {checked}")
        exported = exports(stack, loaded)
    print(table(loaded, explain, months, checked, exported))
    seconds = [row["seconds"] for row in months]
    out = {
        "data": loaded.counts, "load_seconds": {k: round(v, 1) for k, v in
                                                loaded.seconds.items()},
        "ranking_query_ms": explain["execution_ms"],
        "votes_in_ranked_month": explain["votes_in_month"],
        "promotion_seconds": {"median": statistics.median(seconds), "max": max(seconds),
                              "per_month": {r["month"]: r["seconds"] for r in months}},
        "ranking_seconds": {r["month"]: r["ranking_seconds"] for r in months},
        "notifications": {r["month"]: r["notifications"] for r in months},
        "target_met": max(seconds) < TARGET_SECONDS,
        "verify": {k: v for k, v in checked.items() if k != "output"},
        "exports": exported, "machine": report.machine(),
        "total_seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(out, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
