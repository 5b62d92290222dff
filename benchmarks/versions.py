"""One markdown table from several ``run.py --json`` files, one column per CPython.

    python benchmarks/versions.py /tmp/bench-3.11.json /tmp/bench-3.12.json /tmp/bench-3.13.json

Each cell is femtologging's value for a (scenario, metric) row followed by its ratio to every
other library the run measured (``x r`` = that library's value / femtologging's: r > 1 means
femtologging is faster). A library that failed, hung or was not importable shows its status.
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


def _cell(per_lib: dict, metric: str) -> str:
    femto = per_lib.get("femtologging")
    if not femto or femto["status"] != "ok" or femto["median"].get(metric) is None:
        return femto["status"] if femto else "-"
    base = femto["median"][metric]
    parts = [fmt_value(metric, base)]
    for lib, entry in per_lib.items():
        if lib == "femtologging":
            continue
        if entry["status"] != "ok":
            parts.append(f"{label(lib)} {entry['status']}")
            continue
        value = entry["median"].get(metric)
        if value is not None and base > 0:
            parts.append(f"{label(lib)} x{value / base:.1f}")
    return ", ".join(parts)


def render(runs: list[dict]) -> str:
    """The table: rows are (scenario, metric) in the first run's order, columns are runs."""
    names: list[str] = []
    for run in runs:
        names += [n for n in run["scenarios"] if n not in names]
    head = ["scenario", "metric"] + [f"CPython {_version(r)}" for r in runs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        for metric in BY_NAME[name].metrics:
            row = [f"`{name}`", METRIC_LABEL[metric]]
            row += [_cell(r["results"].get(name, {}), metric) for r in runs]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit(__doc__)
    runs = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            runs.append(json.load(f))
    print(render(runs))


if __name__ == "__main__":
    main(sys.argv[1:])
