"""Catalogue of the scenarios: call counts (default / ``--quick``), kind,
child timeout, and which metrics the table shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """One benchmark scenario as the orchestrator sees it."""

    name: str
    kind: str  # "micro" (pyperf, ns per call) or "e2e" (perf_counter in the child)
    calls: int  # default run: calls (micro: pyperf loops per value)
    quick_calls: int
    timeout: float  # seconds before the child is killed and reported "hung"
    metrics: tuple[str, ...]
    stdlib_api_only: bool = False
    max_rounds: int | None = None  # cap on rounds (slow and stable scenarios)
    doc: str = ""
    group: str = "core"  # "core" or "idioms" (``--scenarios idioms`` selects a group)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("disabled", "micro", 1_000_000, 200_000, 120, ("ns_per_call",),
             doc='logger.debug("hello %s", "world") below the level'),
    Scenario("enabled_file", "e2e", 200_000, 50_000, 180, ("ns_per_call", "e2e_s"),
             doc='logger.info("request %d from %s", i, "alice") to a file'),
    Scenario("threads4", "e2e", 200_000, 40_000, 20, ("e2e_s",),
             doc="4 threads x 50,000 calls to one file, end to end"),
    Scenario("exception", "e2e", 20_000, 4_000, 180, ("ns_per_call", "e2e_s"),
             doc='logger.exception("boom") inside except, to a file'),
    Scenario("stringio", "e2e", 200_000, 50_000, 180, ("ns_per_call", "e2e_s"),
             doc="StreamHandler on io.StringIO"),
    Scenario("python_filter", "e2e", 200_000, 50_000, 180, ("ns_per_call", "e2e_s"),
             doc="enabled_file + a Python-level filter"),
    Scenario("getLogger", "micro", 200_000, 50_000, 120, ("ns_per_call",), stdlib_api_only=True,
             doc='getLogger("bench.sub") of an existing logger'),
    Scenario("LogRecord", "micro", 100_000, 20_000, 120, ("ns_per_call",), stdlib_api_only=True,
             doc="LogRecord(...) creation"),
    Scenario("Formatter.format", "micro", 50_000, 10_000, 120, ("ns_per_call",), stdlib_api_only=True,
             doc="Formatter.format(record) with asctime"),
    Scenario("memory", "e2e", 1_000_000, 200_000, 300, ("rss_delta_kib", "e2e_s"), max_rounds=1,
             doc="peak RSS growth, 1,000,000 records to a slow pipe"),
)

def _idiom_scenarios() -> tuple[Scenario, ...]:
    """One end-to-end scenario per real-world idiom of ``idioms.py`` (stdlib API only)."""
    from idioms import IDIOMS

    return tuple(
        Scenario(i.name, "e2e", 100_000, 20_000, 180, ("ns_per_call", "e2e_s"), stdlib_api_only=True,
                 doc=i.doc, group="idioms")
        for i in IDIOMS
    )


SCENARIOS = SCENARIOS + _idiom_scenarios()

#: Named groups of scenarios (``python_filter`` belongs to both: it is also an idiom).
GROUPS = {
    "core": tuple(s.name for s in SCENARIOS if s.group == "core"),
    "idioms": ("python_filter",) + tuple(s.name for s in SCENARIOS if s.group == "idioms"),
}

BY_NAME = {s.name: s for s in SCENARIOS}
