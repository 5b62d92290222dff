"""The examples of docs/native-api.md and of the reference documents run as written."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "native-api.md"


def run(code, tmp_path):
    """Run ``code`` in a fresh interpreter (its own hierarchy); return the completed process."""
    script = tmp_path / "example.py"
    script.write_text(code)
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return r


def test_native_api_guide_examples_run(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 7
    # Each block in its own namespace, in one process, in order.
    code = "".join("exec(compile(%r, 'native-api.md block %d', 'exec'), {})\n" % (b, i)
                   for i, b in enumerate(blocks))
    run(code, tmp_path)


# The reference README's quick example, verbatim (the user guide's below differs in one
# place: its audit file is `app.log` in the test's directory, not `/var/log/app.log`).
README_EXAMPLE = '''
from femtologging import get_logger

log = get_logger("demo")
log.log("INFO", "hello from femtologging")

# Attach a second handler
from femtologging import FemtoStreamHandler

log.add_handler(FemtoStreamHandler.stdout())

# Handlers can be added or removed at any time, even when the logger is
# shared. Newly added handlers only see subsequent records.

# Attach a custom Python handler
class Collector:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, str]] = []

    def handle(self, logger: str, level: str, message: str) -> None:
        self.records.append((logger, level, message))

collector = Collector()
log.add_handler(collector)
log.remove_handler(collector)
'''

# The reference user guide's examples, in the order the guide gives them (the guide's
# copy lost its line breaks; the statements are the guide's own).
GUIDE_EXAMPLES = '''
from femtologging import FemtoStreamHandler, get_logger
logger = get_logger("demo.app")
logger.add_handler(FemtoStreamHandler.stderr())
logger.log("INFO", "hello from femtologging")

from femtologging import BackoffConfig, SocketHandlerBuilder
socket_handler = (
    SocketHandlerBuilder()
    .with_tcp("127.0.0.1", 9020)
    .with_capacity(2048)
    .with_connect_timeout_ms(5000)
    .with_write_timeout_ms(1000)
    .with_tls("logs.example.com", insecure=False)
    .with_backoff(
        BackoffConfig(
            {
                "base_ms": 100,
                "cap_ms": 5000,
                "reset_after_ms": 30000,
                "deadline_ms": 120000,
            }
        )
    )
    .build()
)

class Collector:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, str]] = []

    def handle(self, logger: str, level: str, message: str) -> None:
        # Runs inside the FemtoLogger worker thread
        self.records.append((logger, level, message))

collector = Collector()
logger.add_handler(collector)

from femtologging import (
    ConfigBuilder,
    LoggerConfigBuilder,
    StreamHandlerBuilder,
    FileHandlerBuilder,
    OverflowPolicy,
    LevelFilterBuilder,
)
builder = (
    ConfigBuilder()
    .with_handler("console", StreamHandlerBuilder.stderr())
    .with_handler(
        "audit",
        FileHandlerBuilder("app.log").with_overflow_policy(
            OverflowPolicy.block()
        ),
    )
    .with_filter("info_only", LevelFilterBuilder().with_max_level("INFO"))
    .with_logger(
        "app.audit",
        LoggerConfigBuilder()
        .with_level("INFO")
        .with_handlers(["audit"])
        .with_filters(["info_only"])
        .with_propagate(False),
    )
    .with_root_logger(LoggerConfigBuilder().with_level("WARNING").with_handlers(["console"]))
)
builder.build_and_init()

def json_formatter(record: dict[str, object]) -> str:
    import json
    return json.dumps(
        {
            "logger": record["logger"],
            "level": record["level"],
            "message": record["message"],
        },
        separators=(",", ":"),
    )
stream = StreamHandlerBuilder.stdout().with_formatter(json_formatter).build()
'''


def test_reference_readme_example_runs(tmp_path):
    r = run(README_EXAMPLE, tmp_path)
    assert r.stdout == ""  # INFO is below the root's WARNING: nothing was written


def test_reference_user_guide_examples_run(tmp_path):
    checks = textwrap.dedent('''
        logger.set_level("INFO")
        logger.log("WARN", "checked")
        assert collector.records == [("demo.app", "WARNING", "checked")]
        get_logger("plain").add_handler(stream)
        get_logger("plain").error("as json")
        stream.flush()
        get_logger("app.audit").info("audited")
        get_logger("app.audit").warning("filtered out by info_only")
    ''')
    r = run(GUIDE_EXAMPLES + checks, tmp_path)
    assert '{"logger":"plain","level":"ERROR","message":"as json"}' in r.stdout
    assert "checked" in r.stderr
    # The builder's audit handler wrote its INFO record (and nothing above INFO) by exit.
    assert (tmp_path / "app.log").read_text().splitlines() == ["audited"]
