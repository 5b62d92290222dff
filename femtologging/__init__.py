"""femtologging: Python's standard ``logging`` rebuilt on a Rust core."""

from . import _femtologging  # noqa: F401
