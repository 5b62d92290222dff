"""Runs ONE (library, scenario) measurement in a fresh interpreter.

Started by ``run.py``; writes a JSON result to ``--result``::

    {"status": "ok" | "FAILED" | "n/a", "reason": str, "version": str,
     "metrics": {"ns_per_call": .., "e2e_s": .., "rss_delta_kib": ..}}

Micro-scenarios hand the timing to pyperf (this process is then pyperf's
manager and pyperf spawns one more interpreter as its worker; only the
manager writes the result). End-to-end scenarios time themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import libs  # noqa: E402
from scenarios import BY_NAME  # noqa: E402
from verify import VerificationError  # noqa: E402


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lib", required=True, choices=libs.LIBS)
    parser.add_argument("--scenario", required=True, choices=sorted(BY_NAME))
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--result", default=None, help="where the manager writes its JSON")
    parser.add_argument("--workdir", default=".")


def _write(path: str | None, payload: dict) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(payload, f)


def _load(adapter, result_path):
    try:
        return adapter.load()
    except Exception as exc:  # ImportError, or a half-built extension
        _write(result_path, {"status": "n/a", "reason": f"{type(exc).__name__}: {exc}"})
        return None


def run_e2e(args) -> None:
    """Time an end-to-end workload from ``workloads.py``."""
    import workloads

    adapter = libs.get(args.lib)
    version = _load(adapter, args.result)
    if version is None:
        return
    try:
        if BY_NAME[args.scenario].group == "idioms":
            import idioms

            metrics = idioms.run_idiom(args.scenario, adapter, args.calls, args.workdir)
        else:
            metrics = getattr(workloads, f"run_{args.scenario}")(adapter, args.calls, args.workdir)
        payload = {"status": "ok", "version": version, "metrics": metrics}
    except VerificationError as exc:
        payload = {"status": "FAILED", "version": version, "reason": str(exc)}
    except Exception as exc:
        payload = {
            "status": "FAILED",
            "version": version,
            "reason": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
    _write(args.result, payload)


def run_micro() -> None:
    """Time a micro-scenario with pyperf; the pyperf manager writes the result."""
    import pyperf

    import micro

    def forward(cmd, args):
        cmd.extend(["--lib", args.lib, "--scenario", args.scenario, "--calls", str(args.calls)])

    runner = pyperf.Runner(add_cmdline_args=forward)
    _add_args(runner.argparser)
    args = runner.parse_args()
    is_worker = bool(args.worker)
    result_path = None if is_worker else args.result
    adapter = libs.get(args.lib)
    version = _load(adapter, result_path)
    if version is None:
        sys.exit(0 if not is_worker else 1)
    try:
        time_func = micro.PREPARE[args.scenario](adapter)
    except VerificationError as exc:
        _write(result_path, {"status": "FAILED", "version": version, "reason": str(exc)})
        sys.exit(0 if not is_worker else 1)
    except Exception as exc:
        _write(result_path, {"status": "FAILED", "version": version,
                             "reason": f"{type(exc).__name__}: {exc}",
                             "traceback": traceback.format_exc()})
        sys.exit(0 if not is_worker else 1)
    bench = runner.bench_time_func(f"{args.lib}:{args.scenario}", time_func)
    if not is_worker and bench is not None:
        values = bench.get_values()
        _write(result_path, {
            "status": "ok",
            "version": version,
            "metrics": {"ns_per_call": bench.median() * 1e9},
            "pyperf_values_ns": [v * 1e9 for v in values],
            "loops": bench.get_loops(),
        })


def main() -> None:
    """Dispatch on the scenario kind."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--scenario")
    known, _ = pre.parse_known_args()
    if BY_NAME[known.scenario].kind == "micro":
        run_micro()
    else:
        parser = argparse.ArgumentParser(description=__doc__)
        _add_args(parser)
        run_e2e(parser.parse_args())


if __name__ == "__main__":
    main()
