"""One markdown table from several ``run.py --json`` files, one column per CPython.

    python benchmarks/versions.py [--vs LIB] /tmp/bench-3.11.json /tmp/bench-3.12.json ...

Each cell is femtologging's value for a (scenario, metric) row followed by its ratio to LIB
(default ``logging``; ``x r`` = LIB's value / femtologging's: r > 1 means femtologging is
faster). A LIB that failed, hung or was not importable shows its status; ``-``: not measured.
"""

from __future__ import annotations

import json
import sys

from report import METRIC_LABEL, fmt_value, label
from scenarios import BY_NAME


def _version(run: dict) -> str:
    """``3.12.1`` from the run's machine description."""
    words = str(run["machine"].get("python", "?")).split()
    return words[0] if words else "?"


def _cell(per_lib: dict, metric: str, vs: str) -> str:
    femto = per_lib.get("femtologging")
    if not femto or femto["status"] != "ok" or femto["median"].get(metric) is None:
        return femto["status"] if femto else "-"
    base = femto["median"][metric]
    entry = per_lib.get(vs)
    if entry is None:
        return f"{fmt_value(metric, base)}, -"
    if entry["status"] != "ok":
        return f"{fmt_value(metric, base)}, {entry['status']}"
    value = entry["median"].get(metric)
    ratio = f"x{value / base:.1f}" if value is not None and base > 0 else "-"
    return f"{fmt_value(metric, base)}, {ratio}"


def render(runs: list[dict], vs: str = "logging") -> str:
    """The table: rows are (scenario, metric) in the runs' order, columns are runs."""
    names: list[str] = []
    for run in runs:
        names += [n for n in run["scenarios"] if n not in names]
    names = [n for n in BY_NAME if n in names]  # the suite's own order
    head = ["scenario", "metric"] + [f"CPython {_version(r)}: femtologging, {label(vs)} / it"
                                     for r in runs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        for metric in BY_NAME[name].metrics:
            row = [f"`{name}`", METRIC_LABEL[metric]]
            row += [_cell(r["results"].get(name, {}), metric, vs) for r in runs]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(args: list[str]) -> None:
    vs = "logging"
    if args[:1] == ["--vs"] and len(args) > 1:
        vs, args = args[1], args[2:]
    paths = args
    if not paths:
        sys.exit(__doc__)
    runs = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            runs.append(json.load(f))
    print(render(runs, vs))


if __name__ == "__main__":
    main(sys.argv[1:])
