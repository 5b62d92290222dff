"""The femtologging-native API (``get_logger``, ``Femto*Handler``, builders), exported by the package.

It runs on the same engine and the same logger hierarchy as the stdlib-shaped API;
see ``docs/native-api.md``.
"""

from ._native_config import (
    ConfigBuilder, FileHandlerBuilder, FormatterBuilder, LevelFilterBuilder, LoggerConfigBuilder,
    NameFilterBuilder, RotatingFileHandlerBuilder, SocketHandlerBuilder, StreamHandlerBuilder,
)
from ._native_handlers import (
    BackoffConfig, FemtoFileHandler, FemtoRotatingFileHandler, FemtoSocketHandler,
    FemtoStreamHandler, FemtoTimedRotatingFileHandler, FilterBuildError, HandlerConfigError,
    HandlerIOError, HandlerOptions, OverflowPolicy,
)
from ._native_logger import FemtoLogger, PythonHandler, get_logger, reset_manager

__all__ = [
    'BackoffConfig', 'ConfigBuilder', 'FemtoFileHandler', 'FemtoLogger', 'FemtoRotatingFileHandler',
    'FemtoSocketHandler', 'FemtoStreamHandler', 'FemtoTimedRotatingFileHandler', 'FileHandlerBuilder',
    'FilterBuildError', 'FormatterBuilder', 'HandlerConfigError', 'HandlerIOError', 'HandlerOptions',
    'LevelFilterBuilder', 'LoggerConfigBuilder', 'NameFilterBuilder', 'OverflowPolicy', 'PythonHandler',
    'RotatingFileHandlerBuilder', 'SocketHandlerBuilder', 'StreamHandlerBuilder', 'get_logger',
    'reset_manager',
]
