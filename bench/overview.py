"""ideabox benchmark: the staff overview at scale.

    python bench/overview.py            # 10 million votes across 100,000 ideas
    python bench/overview.py --quick    # 1 million votes across 10,000 ideas

Starts a throw-away PostgreSQL and Redis (bench/server.py), loads the promotion
benchmark's data with COPY (bench/promotion_data.py: one big purpose with every vote
over 12 months, and 100 small ones), then measures:

1. the overview's counting (``refresh_overview``): a full count of every month of every
   purpose and of all purposes together, then an ordinary round, which counts the month
   under way again;
2. ``ideabox serve`` answering ``GET /api/v1/overview`` (all purposes, and the big one)
   and the page ``/admin/overview``, one request at a time on a kept-alive connection:
   the median and the 99th percentile;
3. the read query alone, under EXPLAIN ANALYZE.

Prints a table, then one JSON line. Run by hand; never part of the test suite.
"""

from __future__ import annotations

import argparse
import sys

from project import in_project_venv

in_project_venv(__file__)

import asyncio  # noqa: E402
import dataclasses  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from typing import Any  # noqa: E402

import asyncpg  # noqa: E402
from promotion_data import load  # noqa: E402
from server import Service, embedded_stack, free_port  # noqa: E402

from ideabox.overview.counting import refresh_overview  # noqa: E402
from ideabox.overview.service import READ_QUERY  # noqa: E402
from ideabox.platform.months import current_month, previous_month  # noqa: E402

REQUESTS = 300
TARGET_MS = 100.0


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def count(url: str) -> dict[str, Any]:
    """The full count, then an ordinary round; seconds and rows of each."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        began = time.perf_counter()
        full_rows = await refresh_overview(pool, datetime.now(UTC), everything=True)
        full = time.perf_counter() - began
        began = time.perf_counter()
        round_rows = await refresh_overview(pool, datetime.now(UTC))
        ordinary = time.perf_counter() - began
        async with pool.acquire() as conn:
            rows = await conn.fetchval("SELECT count(*) FROM overview_months")
    finally:
        await pool.close()
    return {"full_seconds": round(full, 2), "full_rows": full_rows,
            "round_seconds": round(ordinary, 2), "round_rows": round_rows,
            "rollup_rows": rows}


async def explain_read(url: str, slug: str) -> dict[str, Any]:
    """The page's one query, for the big purpose's last 12 months, under EXPLAIN ANALYZE."""
    conn: asyncpg.Connection = await asyncpg.connect(url)
    try:
        purpose_id = await conn.fetchval("SELECT id FROM purposes WHERE slug = $1", slug)
        last = current_month("Europe/Copenhagen", datetime.now(UTC))
        first: date = last
        for _ in range(12):
            first = previous_month(first)
        plan = await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + READ_QUERY, purpose_id,
                                   first, last)
        top = json.loads(plan)[0] if isinstance(plan, str) else plan[0]
        return {"execution_ms": top["Execution Time"],
                "node": top["Plan"]["Node Type"] + " on " + top["Plan"].get("Index Name", "")}
    finally:
        await conn.close()


def time_requests(service: Service, token: str, path: str) -> dict[str, Any]:
    """``REQUESTS`` GETs of ``path`` one after another on one connection (after 20 to warm
    up): the median and the 99th percentile in milliseconds."""
    host, port = service.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "da"}
    times: list[float] = []
    statuses: set[int] = set()
    for n in range(REQUESTS + 20):
        began = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - began) * 1000
        statuses.add(response.status)
        if n >= 20:
            times.append(elapsed)
    conn.close()
    times.sort()
    return {"path": path, "statuses": sorted(statuses), "bytes": len(body),
            "p50_ms": round(statistics.median(times), 1),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 million votes across 10,000 ideas instead of 10 million")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args(argv)
    ideas, votes = (10_000, 1_000_000) if args.quick else (100_000, 10_000_000)
    with embedded_stack(keep=args.keep) as stack:
        say(f"data dir {stack.data_dir}; loading {votes:,} votes across {ideas:,} ideas …")
        loaded = asyncio.run(load(stack.database_url, ideas=ideas, votes=votes, months=12,
                                  say=say))
        say(f"loaded: {loaded.counts}")
        counted = asyncio.run(count(stack.database_url))
        say(f"counting: {counted}")
        explained = asyncio.run(explain_read(stack.database_url, loaded.big_slug))
        quiet = dataclasses.replace(stack, env={**stack.env,
                                                "IDEABOX_BACKGROUND_TASKS": "false"})
        requests = []
        with Service(quiet, free_port(), 1) as service:
            for path in ("/api/v1/overview", f"/api/v1/overview?purpose={loaded.big_slug}",
                         "/admin/overview", f"/admin/overview?purpose={loaded.big_slug}"):
                result = time_requests(service, loaded.staff_token, path)
                say(f"  GET {path}: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
                    f"status {result['statuses']}")
                requests.append(result)
    lines = [f"data: {loaded.counts}",
             f"full count of every month: {counted['full_seconds']} s "
             f"({counted['full_rows']} rows)",
             f"ordinary round (the month under way): {counted['round_seconds']} s "
             f"({counted['round_rows']} rows)",
             f"read query: {explained['execution_ms']:.3f} ms ({explained['node']})",
             "", f"{'request':<48}{'p50 ms':>8}{'p99 ms':>8}"]
    lines += [f"{r['path']:<48}{r['p50_ms']:>8}{r['p99_ms']:>8}" for r in requests]
    print("\n".join(lines))
    ok = all(r["statuses"] == [200] and r["p99_ms"] < TARGET_MS for r in requests)
    print(json.dumps({"data": loaded.counts, "load_seconds": loaded.seconds,
                      "counting": counted, "read_query": explained, "requests": requests,
                      "target_ms": TARGET_MS, "met": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
