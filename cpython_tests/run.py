#!/usr/bin/env python3
"""Run the interpreter's own ``test.test_logging`` against femtologging.

Every TestCase class runs in its own child process (``_child.py``), several
classes in parallel.  The child maps ``logging`` to femtologging before the
test module is imported and streams one JSON line per finished test, so a
crash or a hang loses only the tests of that class not yet reported.

Writes a markdown and a JSON report and ends with the line
the report path, then ``cpython: N passed, N failed, N skipped`` as the last line.
See ``cpython_tests/README.md`` for the options and the counting rules.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Each CPython runs its own test.test_logging: floors and reports are per version.
PY_VERSION = "%d.%d" % sys.version_info[:2]
CHILD = HERE / "_child.py"
OUTCOMES = ("pass", "fail", "error", "skip", "excluded", "xfail", "xpass")
FAILING = ("fail", "error", "xpass")
CRASH_REASON = "class timeout/crash"
_TEST_ID = re.compile(r"^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$")


class RunnerError(Exception):
    """The run cannot start or the inputs are invalid; exit status 2."""


# ---------------------------------------------------------------- inputs


def load_exclusions(path):
    """Parse the exclusions file into {"Class.test": reason}.

    One line per test: ``ClassName.test_name  # reason``.  Blank lines and
    lines starting with ``#`` are ignored.  A missing or empty reason, a
    malformed test id or a duplicate makes the whole file refused.
    """
    path = Path(path)
    if not path.exists():
        return {}
    out = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        test_id, sep, reason = line.partition("#")
        test_id, reason = test_id.strip(), reason.strip()
        where = f"{path}:{lineno}"
        if not _TEST_ID.match(test_id):
            raise RunnerError(f"{where}: expected 'ClassName.test_name  # reason', got {raw!r}")
        if not sep or not reason:
            raise RunnerError(
                f"{where}: exclusion {test_id} has no reason; every exclusion must name "
                "the CPython-internal detail it depends on ('# reason')"
            )
        if test_id in out:
            raise RunnerError(f"{where}: {test_id} is excluded twice")
        out[test_id] = reason
    return out


def read_floor(path):
    """The integer floor from the floor file (comment lines allowed)."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            try:
                return int(line)
            except ValueError:
                raise RunnerError(f"{path}: floor must be an integer, got {line!r}") from None
    raise RunnerError(f"{path}: no floor value")


def _child_env():
    """The parent's environment with PYTHONPATH made absolute (children run elsewhere)."""
    env = dict(os.environ)
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(p) if p else p for p in env["PYTHONPATH"].split(os.pathsep)
        )
    return env


# ---------------------------------------------------------------- children


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_child(child_args, wall_timeout, live):
    """Run ``_child.py`` in a scratch directory; return its records and exit info."""
    work = tempfile.mkdtemp(prefix="femto-cpy-")
    out = os.path.join(work, "results.jsonl")
    err_path = os.path.join(work, "stderr.txt")
    cmd = [sys.executable, str(CHILD), "--out", out, *child_args]
    killed = False
    try:
        with open(err_path, "wb") as err, open(os.devnull, "wb") as devnull:
            proc = subprocess.Popen(cmd, cwd=work, stdout=devnull, stderr=err,
                                    env=_child_env(), start_new_session=True)
            live.add(proc)
            try:
                proc.wait(timeout=wall_timeout)
            except subprocess.TimeoutExpired:
                killed = True
                _kill_group(proc)
                proc.wait()
            finally:
                _kill_group(proc)  # grandchildren a test left behind
                live.discard(proc)
        records = []
        if os.path.exists(out):
            with open(out, encoding="ascii", errors="replace") as fh:
                for line in fh:
                    try:
                        records.append(json.loads(line))
                    except ValueError:  # torn last line of a crashed child
                        pass
        with open(err_path, encoding="utf-8", errors="replace") as fh:
            stderr = fh.read()
        return records, proc.returncode, killed, stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)


def list_tests(args, live):
    """Ask a child for {class: [tests]} with the target mapping in place."""
    records, rc, killed, stderr = run_child(
        ["--list", "--target", args.target, "--module", args.module], 120, live)
    for rec in records:
        if rec.get("event") == "fatal":
            raise RunnerError(rec["message"])
        if rec.get("event") == "listing":
            return rec
    tail = "\n".join(stderr.strip().splitlines()[-15:])
    raise RunnerError(f"listing {args.module} failed (exit {rc}, killed={killed}):\n{tail}")


def run_class(args, cls, names, excluded, live):
    """Run one class; every test in ``names`` gets exactly one outcome."""
    t0 = time.monotonic()
    tests = {n: {"outcome": "excluded", "reason": excluded[n], "detail": "", "time": 0.0}
             for n in names if n in excluded}
    info = {"returncode": 0, "killed": False, "running_at_death": None,
            "stderr_tail": "", "issues": []}
    if len(tests) < len(names):
        child_args = ["--target", args.target, "--module", args.module, "--class", cls,
                      "--timeout", str(args.timeout)]
        if tests:
            child_args += ["--exclude", *sorted(tests)]
        records, rc, killed, stderr = run_child(child_args, args.class_timeout, live)
        info.update(returncode=rc, killed=killed)
        running, fatal = None, None
        for rec in records:
            ev = rec.get("event")
            if ev == "start":
                running = rec["test"]
            elif ev == "done" and rec["test"] in names:
                running = None if running == rec["test"] else running
                tests[rec["test"]] = {k: rec.get(k, "") for k in ("outcome", "reason", "detail", "time")}
            elif ev == "class_issue":
                info["issues"].append(rec)
            elif ev == "fatal":
                fatal = rec["message"]
        missing = [n for n in names if n not in tests]
        if missing or rc != 0:
            info["stderr_tail"] = "\n".join(stderr.strip().splitlines()[-40:])
        if missing:
            info["running_at_death"] = running
            how = (f"killed after the class timeout of {args.class_timeout:g}s" if killed
                   else f"child exited with status {rc}")
            for n in missing:
                note = "this test was running" if n == running else "not reached"
                tests[n] = {"outcome": "error",
                            "reason": f"child setup failed: {fatal}" if fatal else CRASH_REASON,
                            "detail": f"{how}; {note}", "time": 0.0}
    info["tests"] = {n: tests[n] for n in names}
    info["counts"] = count(info["tests"].values())
    info["time"] = round(time.monotonic() - t0, 2)
    return info


def count(test_records):
    """Outcome -> number of tests."""
    c = dict.fromkeys(OUTCOMES, 0)
    for rec in test_records:
        c[rec["outcome"]] += 1
    c["total"] = sum(c[o] for o in OUTCOMES)
    return c


def summary_numbers(totals):
    """(passed, failed, skipped) for the CI summary line; they add up to the total."""
    return (totals["pass"],
            sum(totals[o] for o in FAILING),
            totals["skip"] + totals["excluded"] + totals["xfail"])


def schedule(classes, previous):
    """Longest classes first: last run's time when known, else the test count."""
    def key(cls):
        return (-previous.get(cls, 0.0), -len(classes[cls]), cls)
    return sorted(classes, key=key)


def previous_times(json_path):
    try:
        data = json.loads(Path(json_path).read_text(encoding="utf-8"))
        return {c: float(v["time"]) for c, v in data["classes"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


# ---------------------------------------------------------------- report


def group_reasons(classes):
    """[(reason, [Class.test, ...])] for failing tests, most common first."""
    groups = {}
    for cls, info in classes.items():
        for name, rec in info["tests"].items():
            if rec["outcome"] in FAILING:
                groups.setdefault(rec["reason"] or rec["outcome"], []).append(f"{cls}.{name}")
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ").replace("`", "'")


def render_markdown(rep):
    """The human report."""
    meta, tot = rep["meta"], rep["totals"]
    cols = list(OUTCOMES)
    lines = [
        f"# CPython `{meta['module']}` against {meta['target']}",
        "",
        f"- interpreter: Python {meta['python']} (`{meta['executable']}`)",
        f"- logging module under test: `{meta['logging_file']}`",
        f"- date: {meta['date']}",
        f"- wall time: {meta['wall_time']:.1f} s (jobs {meta['jobs']}, per-test timeout "
        f"{meta['timeout']:g} s, class timeout {meta['class_timeout']:g} s)",
        f"- summary: {rep['summary']}",
        "",
        "## Totals",
        "",
        "| " + " | ".join(cols + ["total"]) + " |",
        "|" + "---:|" * (len(cols) + 1),
        "| " + " | ".join(str(tot[c]) for c in cols + ["total"]) + " |",
        "",
        "`xfail` = expected failure, `xpass` = unexpected success (counted as failed).",
        "",
        "## Per class",
        "",
        "| class | " + " | ".join(cols) + " | time (s) | note |",
        "|---|" + "---:|" * (len(cols) + 1) + "---|",
    ]
    for cls, info in rep["classes"].items():
        note = []
        if info["killed"]:
            note.append("killed (class timeout)")
        elif info["returncode"] not in (0, None):
            note.append(f"exit {info['returncode']}")
        if info["running_at_death"]:
            note.append(f"died in {info['running_at_death']}")
        if info["issues"]:
            note.append("; ".join(f"{i['where']}: {i['reason']}" for i in info["issues"]))
        c = info["counts"]
        lines.append(f"| {cls} | " + " | ".join(str(c[o]) for o in cols)
                     + f" | {info['time']:.1f} | {_cell(', '.join(note))} |")
    lines += ["", "## Failure reasons (grouped)", ""]
    if not rep["reasons"]:
        lines.append("None.")
    for item in rep["reasons"]:
        lines.append(f"- **{len(item['tests'])}** × `{_cell(item['reason'])}`")
        lines.append("  - " + ", ".join(item["tests"]))
    lines += ["", "## Exclusions", ""]
    if not rep["exclusions"]["applied"]:
        lines += ["Not applied (target is stdlib). The exclusions file lists:", ""]
    if rep["exclusions"]["entries"]:
        lines += ["| test | reason |", "|---|---|"]
        lines += [f"| {t} | {_cell(r)} |" for t, r in rep["exclusions"]["entries"].items()]
    else:
        lines.append("None.")
    if rep["exclusions"]["unknown"]:
        lines += ["", "Exclusions naming no existing test (stale?): "
                  + ", ".join(rep["exclusions"]["unknown"])]
    crashed = {c: i for c, i in rep["classes"].items() if i["stderr_tail"]}
    if crashed:
        lines += ["", "## Child stderr (classes that crashed or lost tests)", ""]
        for cls, info in crashed.items():
            lines += [f"### {cls}", "", "```", info["stderr_tail"], "```", ""]
    return "\n".join(lines) + "\n"


def _show(path):
    """A path as the user would type it: relative when under the current directory."""
    rel = os.path.relpath(path)
    return rel if not rel.startswith("..") else str(path)


def report_paths(arg):
    base = Path(arg)
    if base.suffix in (".md", ".json"):
        base = base.with_suffix("")
    return base.with_name(base.name + ".md"), base.with_name(base.name + ".json")


# ---------------------------------------------------------------- main


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--target", choices=("femtologging", "stdlib"), default="femtologging",
                   help="femtologging (default) or stdlib: a sanity run of the real logging")
    p.add_argument("--classes", nargs="+", metavar="CLASS", help="run only these classes")
    p.add_argument("--jobs", "-j", type=int, default=2, help="classes run in parallel (2)")
    p.add_argument("--timeout", type=float, default=60.0, help="per-test timeout, s (60)")
    p.add_argument("--class-timeout", type=float, default=300.0,
                   help="wall-clock limit per class; the child is then killed (300)")
    p.add_argument("--report", default=str(HERE / f"report-{PY_VERSION}.md"),
                   help="markdown report path; JSON goes next to it (.json)"
                        " (default: report-X.Y.md for the running interpreter)")
    p.add_argument("--check-floor", action="store_true",
                   help="exit 1 when fewer tests pass than the floor file says")
    p.add_argument("--floor-file", default=str(HERE / f"floor-{PY_VERSION}"),
                   help="default: floor-X.Y for the running interpreter")
    p.add_argument("--exclusions", default=str(HERE / "exclusions"))
    p.add_argument("--module", default="test.test_logging",
                   help="test module to run (default test.test_logging)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every test's outcome")
    p.add_argument("--install", action="store_true",
                   help="import the real logging first, then femtologging.install() "
                        "(report: report-install-X.Y.md, floor: floor-install-X.Y)")
    args = p.parse_args(argv)
    if args.install:
        if args.target != "femtologging":
            p.error("--install runs against femtologging; it excludes --target stdlib")
        args.target = "install"
        if args.report == str(HERE / f"report-{PY_VERSION}.md"):
            args.report = str(HERE / f"report-install-{PY_VERSION}.md")
        if args.floor_file == str(HERE / f"floor-{PY_VERSION}"):
            args.floor_file = str(HERE / f"floor-install-{PY_VERSION}")
    if args.jobs < 1 or args.timeout <= 0 or args.class_timeout <= 0:
        p.error("--jobs, --timeout and --class-timeout must be positive")
    return args


def _progress(done, total, cls, info):
    c = info["counts"]
    parts = [f"{c[o]} {o}" for o in OUTCOMES if c[o]] or ["no tests"]
    extra = " KILLED" if info["killed"] else (" CRASHED" if info["running_at_death"] else "")
    print(f"[{done:>2}/{total}] {cls:<34} {' '.join(parts)}  ({info['time']:.1f}s){extra}",
          flush=True)


def execute(args):
    """Do the run; return (report dict, exit status)."""
    started = time.monotonic()
    exclusions = load_exclusions(args.exclusions)
    floor = read_floor(args.floor_file) if args.check_floor else None
    md_path, json_path = report_paths(args.report)
    live = set()
    try:
        listing = list_tests(args, live)
        classes = listing["classes"]
        if args.classes:
            unknown = [c for c in args.classes if c not in classes]
            if unknown:
                raise RunnerError(f"no such class in {args.module}: {', '.join(unknown)}")
            classes = {c: classes[c] for c in args.classes}
        applied = args.target in ("femtologging", "install")
        known = {f"{c}.{t}" for c, ts in listing["classes"].items() for t in ts}
        results = {}
        order = schedule(classes, previous_times(json_path))
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futs = {}
            for cls in order:
                excl = {t: exclusions[f"{cls}.{t}"] for t in classes[cls]
                        if applied and f"{cls}.{t}" in exclusions}
                futs[pool.submit(run_class, args, cls, classes[cls], excl, live)] = cls
            try:
                for n, fut in enumerate(concurrent.futures.as_completed(futs), 1):
                    cls = futs[fut]
                    results[cls] = info = fut.result()
                    _progress(n, len(order), cls, info)
                    if args.verbose:
                        for name, rec in info["tests"].items():
                            why = f"  ({rec['reason']})" if rec["reason"] else ""
                            print(f"    {cls}.{name}: {rec['outcome']}{why}")
            except BaseException:  # Ctrl-C or a runner bug: stop children before waiting
                for fut in futs:
                    fut.cancel()
                for proc in list(live):
                    _kill_group(proc)
                raise
    finally:
        for proc in list(live):
            _kill_group(proc)
    results = {c: results[c] for c in sorted(results)}
    totals = count(r for info in results.values() for r in info["tests"].values())
    passed, failed, skipped = summary_numbers(totals)
    summary = f"cpython: {passed} passed, {failed} failed, {skipped} skipped"
    rep = {
        "meta": {
            "module": args.module, "target": args.target, "python": listing["python"],
            "executable": listing["executable"], "implementation": platform.python_implementation(),
            "logging_file": listing["logging_file"],
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "wall_time": round(time.monotonic() - started, 2), "jobs": args.jobs,
            "timeout": args.timeout, "class_timeout": args.class_timeout,
            "classes_selected": args.classes,
        },
        "summary": summary,
        "totals": totals,
        "classes": results,
        "reasons": [{"reason": r, "tests": t} for r, t in group_reasons(results)],
        "exclusions": {"applied": applied, "entries": exclusions,
                       "unknown": sorted(set(exclusions) - known)},
    }
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(render_markdown(rep), encoding="utf-8")
    json_path.write_text(json.dumps(rep, indent=1) + "\n", encoding="utf-8")

    status = 0
    print("cpython detail: " + ", ".join(f"{totals[o]} {o}" for o in OUTCOMES)
          + f"; wall {rep['meta']['wall_time']:.1f}s")
    if rep["exclusions"]["unknown"]:
        print("warning: exclusions naming no test: " + ", ".join(rep["exclusions"]["unknown"]))
    if floor is not None:
        if passed < floor:
            print(f"FLOOR FAILED: {passed} passed is below the floor of {floor} ({_show(args.floor_file)})")
            status = 1
        elif passed > floor:
            print(f"hint: {passed} passed exceeds the floor of {floor}; "
                  f"raise {_show(args.floor_file)} to {passed}")
    print(f"report: {_show(md_path)}")
    print(summary)  # last line: the summary CI reads
    return rep, status


def main(argv=None):
    """CLI entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        _rep, status = execute(args)
    except RunnerError as exc:
        print(f"cpython_tests: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cpython_tests: interrupted; no report written", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
