"""Renders the results table (plain text) from the aggregated results."""

from __future__ import annotations

from libs import LABELS
from scenarios import BY_NAME

METRIC_LABEL = {
    "ns_per_call": "per call",
    "e2e_s": "end to end",
    "rss_delta_kib": "peak RSS growth",
}

HEADER = (
    "Medians over rounds (each value from a fresh interpreter). In each cell, "
    "\"x r\" is femtologging's ratio r = that library's value / femtologging's value: "
    "r > 1 means femtologging is faster (or, for memory, smaller)."
)


def label(lib: str) -> str:
    """Display name of a library key."""
    return LABELS.get(lib, lib)


def fmt_value(metric: str, value: float) -> str:
    """Human units: ns/us/ms per call, seconds, KiB/MiB."""
    if metric == "ns_per_call":
        if value < 1e3:
            return f"{value:.0f} ns"
        if value < 1e6:
            return f"{value / 1e3:.2f} us"
        return f"{value / 1e6:.2f} ms"
    if metric == "e2e_s":
        return f"{value:.2f} s"
    if metric == "rss_delta_kib":
        return f"{value / 1024:.1f} MiB" if value >= 1024 else f"{value:.0f} KiB"
    return f"{value:.3g}"


def ratio_text(metric: str, value: float, femto: float | None) -> str:
    """``x1.52`` or empty when femtologging has no number for this row."""
    if femto is None:
        return ""
    if femto <= 0:
        return " x-" if value > 0 else " x1.00"
    return f" x{value / femto:.2f}"


def cell(entry: dict | None, metric: str, femto: float | None) -> str:
    """One table cell: a value with its ratio, or the status word."""
    if entry is None:
        return "-"
    status = entry["status"]
    if status != "ok":
        return status
    value = entry["median"].get(metric)
    if value is None:
        return "-"
    return fmt_value(metric, value) + ratio_text(metric, value, femto)


def render(results: dict, scenarios: list[str], libs: list[str]) -> str:
    """The whole table plus footnotes for non-ok entries."""
    headers = ["scenario", "metric"] + [label(lib) for lib in libs]
    rows = []
    for name in scenarios:
        sc = BY_NAME[name]
        for metric in sc.metrics:
            femto_entry = results.get(name, {}).get("femtologging")
            femto = None
            if femto_entry and femto_entry["status"] == "ok":
                femto = femto_entry["median"].get(metric)
            row = [name, METRIC_LABEL[metric]]
            for lib in libs:
                entry = results.get(name, {}).get(lib)
                row.append(cell(entry, metric, femto if lib != "femtologging" else None))
            rows.append(row)
    widths = [max(len(r[k]) for r in rows + [headers]) for k in range(len(headers))]
    lines = [HEADER, ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    notes = []
    for name in scenarios:
        for lib in libs:
            entry = results.get(name, {}).get(lib)
            if entry and entry["status"] not in ("ok", "-"):
                reason = entry.get("reason", "")
                if entry["status"] == "n/a" and name != scenarios[0]:
                    continue
                notes.append(f"  {name} / {label(lib)}: {entry['status']}: {reason}")
    if notes:
        lines += ["", "Notes (n/a = not importable; FAILED = wrong/lost output or crash; "
                  "hung = killed after the timeout):"] + notes
    return "\n".join(lines)
