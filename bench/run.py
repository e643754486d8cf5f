"""ideabox benchmark: vote writes and tally reads per second on this machine.

    python bench/run.py --quick        # a minute or two
    python bench/run.py                # larger data, longer phases

Starts a throw-away ideabox (own PostgreSQL, Redis, data dir), loads users, purposes,
ideas and votes with COPY, rebuilds the Redis cache, then measures each phase at a
fixed concurrency: vote PUT and DELETE, idea GET, the top-of-the-month list, and two
baselines — a raw asyncpg INSERT (what the database alone can do) and GET /healthz
(what the server and framework alone can do). Prints a table, then one JSON line.

Run by hand; never part of the test suite (its figures depend on the machine).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from project import in_project_venv

in_project_venv(__file__)

import asyncio  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from typing import Any  # noqa: E402

import data  # noqa: E402
import report  # noqa: E402
from baseline import raw_insert_phase  # noqa: E402
from counters import Counters, per_request  # noqa: E402
from loadgen import PhaseResult, RequestFactory, connect, run_phase  # noqa: E402
from procs import CpuMeter  # noqa: E402
from profiling import ProfiledWindow, find_py_spy  # noqa: E402
from scenarios import Scenarios  # noqa: E402
from server import Service, Stack, embedded_stack, free_port, has_command, ideabox  # noqa: E402

# Measured on 2 cores (README, "Benchmark"): one worker caps the app at one core; with
# two, three or four the idea GET and vote phases are within noise of each other, three
# giving the best vote rate. Only the hello-world baseline keeps rising with more.
DEFAULT_WORKERS = 3
TARGETS = {"vote_vs_raw": 0.5, "get_vs_hello": 0.4}
MIN_OK = 0.99  # share of 200 answers below which a phase's figures mean nothing

PHASES: dict[str, str] = {
    "hello": "GET /healthz (baseline)",
    "idea_get": "GET /api/v1/ideas/{id}",
    "top_month": "GET …/ideas?sort=top_month",
    "top_open": "GET …/ideas?sort=top_month&status=open",
    "vote_put": "PUT /api/v1/ideas/{id}/vote",
    "vote_delete": "DELETE /api/v1/ideas/{id}/vote",
    "raw_insert": "INSERT … ON CONFLICT (baseline)",
}


@dataclass(frozen=True)
class Config:
    quick: bool
    workers: int
    concurrency: int
    warmup_s: float
    duration_s: float
    seed: int


def parse_args(argv: list[str]) -> tuple[Config, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small data and short phases: a run of a minute or two")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help=f"ideabox serve --workers (default {DEFAULT_WORKERS})")
    parser.add_argument("--concurrency", type=int, default=64,
                        help="open connections, one request in flight each (default 64)")
    parser.add_argument("--warmup", type=float, help="seconds before counting, per phase")
    parser.add_argument("--duration", type=float, help="seconds counted, per phase")
    parser.add_argument("--phases", default=",".join(PHASES),
                        help=f"comma-separated subset of: {', '.join(PHASES)}")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary data dir (its serve.log, postgres.log)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample the workers with py-spy during each phase; write the "
                             "stacks to DIR (figures are then a little lower)")
    parser.add_argument("--hold", action="store_true",
                        help="after loading, keep the server up until Ctrl-C (for profiling)")
    args = parser.parse_args(argv)
    unknown = set(args.phases.split(",")) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    config = Config(
        quick=args.quick, workers=args.workers, concurrency=args.concurrency,
        warmup_s=args.warmup if args.warmup is not None else (2.0 if args.quick else 5.0),
        duration_s=args.duration if args.duration is not None else (8.0 if args.quick else 30.0),
        seed=args.seed,
    )
    return config, args


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stop_on_signals() -> None:
    # A SIGTERM to the bench unwinds like Ctrl-C: the server and databases are stopped.
    # It is passed on as a SIGINT so that asyncio.run, while it runs, cancels its task
    # cleanly instead of having KeyboardInterrupt raised inside some callback.
    def as_interrupt(_signum: int, _frame: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)

    signal.signal(signal.SIGTERM, as_interrupt)
    # Started in the background by a shell, SIGINT arrives ignored: take it back.
    signal.signal(signal.SIGINT, signal.default_int_handler)


async def probe(service: Service, scenarios: Scenarios) -> dict[str, tuple[int, bytes]]:
    """One request per kind, before measuring: which endpoints does this checkout have?"""
    answers: dict[str, tuple[int, bytes]] = {}
    conn = await connect("127.0.0.1", service.port)
    try:
        for key, request in scenarios.probe().items():
            answers[key] = await conn.request(request)
    finally:
        if conn.transport is not None:
            conn.transport.close()
    return answers


async def measure(config: Config, stack: Stack, service: Service, dataset: data.Dataset,
                  wanted: list[str], skipped: dict[str, str],
                  profile: Path | None = None) -> dict[str, PhaseResult | None]:
    scenarios = Scenarios(dataset, f"127.0.0.1:{service.port}", seed=config.seed + 2)
    answers = await probe(service, scenarios)
    factories: dict[str, RequestFactory] = {
        "hello": scenarios.hello(), "idea_get": scenarios.idea_get(),
        "top_month": scenarios.top_month(), "top_open": scenarios.top_month(status="open"),
        "vote_put": scenarios.vote_put(),
        "vote_delete": scenarios.vote_delete(),
    }
    meter = CpuMeter({
        "server": service.pids, "postgres": stack.postgres_pids, "redis": stack.redis_pids,
        "loadgen": lambda: [os.getpid()],
    })
    window: CpuMeter | ProfiledWindow = meter
    if profile is not None:
        py_spy = find_py_spy()
        if py_spy is None:
            raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
        window = ProfiledWindow(meter, service.worker_pids, profile, py_spy)
    counters = Counters(stack.database_url, stack.redis_url)
    results: dict[str, PhaseResult | None] = {}
    try:
        for key in PHASES:
            if key in wanted:
                results[key] = await _phase(key, config, stack, service, dataset, factories,
                                            answers, window, counters, skipped)
    finally:
        await counters.close()
    if scenarios.deletes_of_missing:
        skipped["vote_delete_note"] = (f"{scenarios.deletes_of_missing} DELETEs found no vote "
                                       "(every vote had been retracted)")
    return results


async def _phase(key: str, config: Config, stack: Stack, service: Service,
                 dataset: data.Dataset, factories: dict[str, RequestFactory],
                 answers: dict[str, tuple[int, bytes]], window: CpuMeter | ProfiledWindow,
                 counters: Counters, skipped: dict[str, str]) -> PhaseResult | None:
    """Run one phase; None when its endpoint does not exist in this checkout."""
    status, body = answers.get(key, (200, b""))
    if status in (404, 405):
        # Not built yet in this checkout (or the route is different): say so, go on.
        skipped[key] = f"the endpoint answered {status} {body[:120]!r}"
        say(f"skipping {PHASES[key]}: {skipped[key]}")
        return None
    say(f"measuring {PHASES[key]} for {config.warmup_s:g}+{config.duration_s:g} s …")
    if isinstance(window, ProfiledWindow):
        window.phase = key
    before = await counters.snapshot()
    if key == "raw_insert":
        result = await raw_insert_phase(
            stack.database_url, dataset.idea_ids, dataset.user_ids,
            concurrency=config.concurrency, warmup=config.warmup_s,
            duration=config.duration_s, meter=window, seed=config.seed + 1)
    else:
        result = await run_phase(
            PHASES[key], "127.0.0.1", service.port, factories[key],
            concurrency=config.concurrency, warmup=config.warmup_s,
            duration=config.duration_s, meter=window)
    # Backends report their statistics about once a second, idle ones included.
    await asyncio.sleep(1.2)
    result.work = per_request(before, await counters.snapshot(), result.total_requests)
    return result


def summary(config: Config, dataset: data.Dataset, results: dict[str, PhaseResult | None],
            notes: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in PHASES:
        out |= report.phase_fields(key, results.get(key))
    put, delete = out.get("vote_put_per_s"), out.get("vote_delete_per_s")
    # Vote writes are as fast as the slower of the two, so the ratio takes the minimum.
    writes = min(put, delete) if put and delete else (put or delete)
    out["vote_vs_raw"] = report.ratio(writes, out.get("raw_insert_per_s"))
    out["get_vs_hello"] = report.ratio(out.get("idea_get_per_s"), out.get("hello_per_s"))
    out["targets"] = TARGETS
    out["targets_met"] = {name: (None if out[name] is None else out[name] >= bound)
                          for name, bound in TARGETS.items()}
    out["cpu_percent"] = {key: r.cpu for key, r in results.items() if r is not None}
    out["work_per_request"] = {key: report.work_per_request(r) for key, r in results.items()
                               if r is not None}
    out["config"] = asdict(config) | {"data": dataset.counts,
                                      "load_seconds": round(dataset.seconds, 1)}
    out["machine"] = report.machine()
    out["notes"] = notes
    return out


def main(argv: list[str]) -> int:
    config, args = parse_args(argv)
    wanted = args.phases.split(",")
    sizes = data.QUICK if config.quick else data.FULL
    notes: dict[str, str] = {}
    _stop_on_signals()
    started = time.monotonic()
    try:
        with embedded_stack(keep=args.keep) as stack:
            say(f"data dir {stack.data_dir}; loading {sizes} …")
            dataset = asyncio.run(data.load(stack.database_url, sizes, seed=config.seed))
            say(f"loaded {dataset.counts} in {dataset.seconds:.1f} s")
            if has_command(stack, "cache", "rebuild"):
                rebuilt = ideabox(stack, "cache", "rebuild")
                if rebuilt.returncode != 0:
                    raise SystemExit(f"ideabox cache rebuild failed:\n{rebuilt.stderr[-2000:]}")
                say("Redis cache rebuilt")
            else:
                notes["cache"] = ("`ideabox cache rebuild` does not exist in this checkout: "
                                  "reads may come from PostgreSQL")
                say(notes["cache"])
            port = free_port()
            with Service(stack, port, config.workers) as service:
                say(f"ideabox serve on :{port}, workers {service.worker_pids()}")
                if args.hold:
                    say("holding; Ctrl-C to stop")
                    signal.pause()
                results = asyncio.run(measure(config, stack, service, dataset, wanted, notes,
                                              args.profile))
                tail = service.log_tail(5)
            notes_out = dict(notes)
    except KeyboardInterrupt:
        say("interrupted; everything has been stopped")
        return 130
    print(report.table(results, PHASES, notes_out))
    if tail.strip():
        print(f"end of serve.log:\n{tail}")
    out = summary(config, dataset, results, notes_out)
    out["config"]["total_seconds"] = round(time.monotonic() - started, 1)
    print(f"vote writes / raw insert = {out['vote_vs_raw']} (target ≥ {TARGETS['vote_vs_raw']});"
          f" idea GET / hello = {out['get_vs_hello']} (target ≥ {TARGETS['get_vs_hello']})")
    # A rate of errors is no rate: the run fails when a phase's answers were not 200s.
    failed = [key for key, r in results.items() if r is not None and r.ok_share() < MIN_OK]
    out["failed_phases"] = failed
    if failed:
        print(f"FAILED: fewer than {MIN_OK:.0%} expected answers in {', '.join(failed)}")
    print(json.dumps(out, separators=(",", ":")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
