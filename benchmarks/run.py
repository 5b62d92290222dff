#!/usr/bin/env python3
"""femtologging benchmark suite: one command, every scenario, six libraries.

    python benchmarks/run.py                 # default run (~10 min on 2 cores)
    python benchmarks/run.py --quick         # ~1-2 min smoke run
    python benchmarks/run.py --scenarios disabled,enabled_file --libs logging,femtologging

Every (library, scenario, round) runs in a fresh child interpreter
(``child.py``); rounds go round-robin over the libraries, rotating the order
each round, so machine noise spreads evenly; the table shows medians. A child
that exceeds the scenario's timeout is killed (its own process group) and
reported ``hung``; a library that is not importable is ``n/a``; output that
fails verification is ``FAILED``. Results go to ``benchmarks/results.json``
(and ``--json PATH``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import libs  # noqa: E402
import report  # noqa: E402
from scenarios import BY_NAME, GROUPS, SCENARIOS  # noqa: E402

DEFAULT_ROUNDS = 5
QUICK_ROUNDS = 2
#: pyperf values per child for micro-scenarios (after 1 warmup value); the
#: rounds provide the repetitions, each in a fresh interpreter.
PYPERF_VALUES = 1
#: quick runs use shorter timeouts (their workloads are 4-5x smaller)
QUICK_TIMEOUT_SCALE = 0.5


def parse_args(argv=None) -> argparse.Namespace:
    """Command line of the suite."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer rounds and calls (~1-2 minutes)")
    p.add_argument("--rounds", type=int, default=None, help=f"rounds (default {DEFAULT_ROUNDS}, quick {QUICK_ROUNDS})")
    p.add_argument("--scenarios", default=None,
                   help="comma-separated subset of: " + ",".join(s.name for s in SCENARIOS)
                   + "; or a group: " + ",".join(GROUPS) + " (default: every scenario)")
    p.add_argument("--libs", default=None, help="comma-separated subset of: " + ",".join(libs.LIBS))
    p.add_argument("--json", default=None, metavar="PATH", help="also write the results JSON here")
    p.add_argument("--timeout-scale", type=float, default=1.0, help="multiply every child timeout")
    p.add_argument("--workdir", default=None, help="directory for temporary log files (default: system temp)")
    args = p.parse_args(argv)
    args.rounds = args.rounds or (QUICK_ROUNDS if args.quick else DEFAULT_ROUNDS)
    args.scenario_list = _subset(_expand_groups(args.scenarios), [s.name for s in SCENARIOS], "scenario")
    args.lib_list = _subset(args.libs, list(libs.LIBS), "library")
    return args


def _expand_groups(text):
    """Replace group names (``core``, ``idioms``) in a comma-separated list by their scenarios."""
    if not text:
        return text
    names = []
    for x in (x.strip() for x in text.split(",")):
        names.extend(GROUPS.get(x, (x,)))
    return ",".join(names)


def _subset(text, allowed, what):
    if not text:
        return list(allowed)
    chosen = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [x for x in chosen if x not in allowed]
    if unknown:
        raise SystemExit(f"unknown {what}(s): {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return [x for x in allowed if x in chosen]


def child_command(lib: str, sc, calls: int, result: str, workdir: str) -> list[str]:
    """The child interpreter's command line for one measurement."""
    cmd = [sys.executable, os.path.join(HERE, "child.py"), "--lib", lib, "--scenario", sc.name,
           "--calls", str(calls), "--result", result, "--workdir", workdir]
    if sc.kind == "micro":
        cmd += ["--values", str(PYPERF_VALUES), "--warmups", "1", "--processes", "1",
                "--loops", str(calls), "--quiet"]
        # pyperf workers get a cleaned environment; keep the import path the
        # user chose (e.g. PYTHONPATH pointing at a femtologging checkout).
        keep = [v for v in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE") if v in os.environ]
        if keep:
            cmd += ["--inherit-environ", ",".join(keep)]
    return cmd


def run_child(lib: str, sc, calls: int, timeout: float, base_tmp: str | None) -> dict:
    """Run one measurement in a fresh interpreter; never waits past ``timeout``."""
    workdir = tempfile.mkdtemp(prefix=f"bench-{sc.name}-", dir=base_tmp)
    result_path = os.path.join(workdir, "result.json")
    cmd = child_command(lib, sc, calls, result_path, workdir)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the child's own session: it and its workers
        proc.communicate()
        shutil.rmtree(workdir, ignore_errors=True)
        return {"status": "hung", "reason": f"killed after {timeout:.0f} s"}
    wall = time.perf_counter() - started
    try:
        with open(result_path, encoding="utf-8") as f:
            payload = json.load(f)
    except (OSError, ValueError):
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        payload = {"status": "FAILED", "reason": f"child exited {proc.returncode} without a result: "
                   + " | ".join(tail)}
    payload["child_wall_s"] = wall
    shutil.rmtree(workdir, ignore_errors=True)
    return payload


def machine_info() -> dict:
    """nproc, CPU model, Python and platform, for the JSON and the docs."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": sys.version.split()[0],
            "implementation": platform.python_implementation(), "platform": platform.platform()}


def aggregate(entry: dict) -> None:
    """Median of every metric over the ok samples of one (scenario, lib)."""
    samples = entry["samples"]
    keys = sorted({k for s in samples for k in s})
    entry["median"] = {k: statistics.median(s[k] for s in samples if k in s) for k in keys}
    if samples:
        entry["min"] = {k: min(s[k] for s in samples if k in s) for k in keys}
        entry["max"] = {k: max(s[k] for s in samples if k in s) for k in keys}


def main(argv=None) -> int:
    """Run the plan, print the table, write the JSON."""
    args = parse_args(argv)
    adapters = {lib: libs.get(lib) for lib in args.lib_list}
    results: dict[str, dict[str, dict]] = {s: {} for s in args.scenario_list}
    unavailable: dict[str, str] = {}
    t_start = time.time()
    for r in range(args.rounds):
        order = args.lib_list[r % len(args.lib_list):] + args.lib_list[: r % len(args.lib_list)]
        for name in args.scenario_list:
            sc = BY_NAME[name]
            if sc.max_rounds is not None and r >= sc.max_rounds:
                continue
            calls = sc.quick_calls if args.quick else sc.calls
            for lib in order:
                entry = results[name].setdefault(lib, {"status": "ok", "samples": [], "versions": set()})
                if sc.stdlib_api_only and not adapters[lib].STDLIB_API:
                    entry.update(status="-", reason="no such API")
                    continue
                if lib in unavailable:
                    entry.update(status="n/a", reason=unavailable[lib])
                    continue
                if entry["status"] != "ok":
                    continue  # FAILED/hung are deterministic enough: do not pay for them again
                timeout = sc.timeout * args.timeout_scale * (QUICK_TIMEOUT_SCALE if args.quick else 1.0)
                payload = run_child(lib, sc, calls, timeout, args.workdir)
                status = payload["status"]
                if payload.get("version"):
                    entry["versions"].add(payload["version"])
                if status == "ok":
                    entry["samples"].append(payload["metrics"])
                    shown = ", ".join(report.fmt_value(m, payload["metrics"][m]) for m in sc.metrics)
                else:
                    entry.update(status=status, reason=payload.get("reason", ""))
                    if payload.get("traceback"):
                        entry["traceback"] = payload["traceback"]
                    if status == "n/a":
                        unavailable[lib] = payload.get("reason", "")
                    shown = f"{status}: {payload.get('reason', '')}"[:160]
                print(f"[round {r + 1}/{args.rounds}] {name:<16} {report.label(lib):<20} {shown}",
                      file=sys.stderr, flush=True)
    for per_lib in results.values():
        for entry in per_lib.values():
            entry["versions"] = sorted(entry["versions"])
            if entry["status"] == "ok" and entry["samples"]:
                aggregate(entry)
            elif entry["status"] == "ok":
                entry["status"] = "-"
    elapsed = time.time() - t_start
    table = report.render(results, args.scenario_list, args.lib_list)
    print(table)
    print(f"\n{args.rounds} rounds, {elapsed:.0f} s total; command: "
          + " ".join(["python", "benchmarks/run.py"] + (argv if argv is not None else sys.argv[1:])))
    doc = {
        "command": " ".join(["python", "benchmarks/run.py"] + (argv if argv is not None else sys.argv[1:])),
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t_start)),
        "elapsed_s": elapsed,
        "rounds": args.rounds,
        "quick": args.quick,
        "machine": machine_info(),
        "ratio_definition": "other_library_value / femtologging_value (>1: femtologging faster)",
        "scenarios": {s: {"calls": (BY_NAME[s].quick_calls if args.quick else BY_NAME[s].calls),
                          "doc": BY_NAME[s].doc, "metrics": list(BY_NAME[s].metrics)}
                      for s in args.scenario_list},
        "results": results,
        "table": table,
    }
    paths = [os.path.join(HERE, "results.json")] + ([args.json] if args.json else [])
    for path in paths:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
