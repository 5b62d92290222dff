"""Configuration: femtologging's equivalent of the standard ``logging.config``.

``dictConfig`` takes the dictionary schema (version 1), ``fileConfig`` the
``configparser`` format, and ``listen``/``stopListening`` run a small socket
server that accepts new configurations.  The core package is used only
through its public stdlib-shaped names, looked up at call time.

Dotted names in configurations that start with ``logging`` are resolved
against ``femtologging`` (so ``"logging.StreamHandler"`` means
``femtologging.StreamHandler``); this package never imports the standard
``logging`` package.

Layout of this module: name resolution, the bookkeeping of loggers a new
configuration leaves out (shared by both formats), ``fileConfig``, the
converting containers and configurators of ``dictConfig``, and the listener.
"""

import errno
import io
import os
import queue
import re
import socketserver
import struct
import sys
import threading
import traceback

import femtologging
import femtologging as logging  # noqa: F401  (the names stdlib's module offers)
from socketserver import StreamRequestHandler, ThreadingTCPServer  # noqa: F401

from . import _compat

if _compat.PY312:
    import functools  # noqa: F401

DEFAULT_LOGGING_CONFIG_PORT = 9030

# errno meaning "connection reset by peer"; ignored by the config listener.
RESET_ERROR = errno.ECONNRESET

# The behaviour of ``dictConfig`` follows the running interpreter's stdlib.
_PY312 = _compat.PY312
_PY313 = _compat.PY313

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$", re.IGNORECASE)


def valid_ident(s):
    """Return True if *s* is a valid keyword-argument name, else ValueError."""
    if not IDENTIFIER.match(s):
        raise ValueError("Not a valid Python identifier: %r" % s)
    return True


# ---------------------------------------------------------------------------
# Name resolution
# ---------------------------------------------------------------------------

def _handlers_module():
    """The ``femtologging.handlers`` module (imported on first use)."""
    import importlib
    return importlib.import_module("femtologging.handlers")


def _import(name):
    """``__import__`` that sends ``logging``/``logging.x`` to femtologging."""
    head, dot, rest = name.partition(".")
    if head == "logging":
        name = "femtologging" + dot + rest
    return __import__(name)


def _walk_dotted(name, importer):
    """Resolve ``pkg.mod.attr``: attribute lookups, importing a prefix when one is missing."""
    first, *rest = name.split(".")
    found = importer(first)
    path = first
    for part in rest:
        path = path + "." + part
        if not hasattr(found, part):
            importer(path)
        found = getattr(found, part)
    return found


def _resolve(name):
    """Resolve a dotted name to an object (``ImportError`` if impossible)."""
    return _walk_dotted(name, _import)


def _set_attributes(obj, attributes):
    """Apply a configuration's ``'.'`` mapping: attributes set after construction."""
    for attr, value in (attributes or {}).items():
        setattr(obj, attr, value)


def _keyword_items(config):
    """The constructor keywords of a factory configuration (all keys but ``'.'``)."""
    return {key: config[key] for key in config if key != "." and valid_ident(key)}


def _reraise_as(message, build, *args):
    """Call ``build(*args)``; an error becomes a ValueError(*message*) caused by it."""
    try:
        return build(*args)
    except Exception as exc:
        raise ValueError(message) from exc


# ---------------------------------------------------------------------------
# What happens to the loggers a configuration does not mention
# ---------------------------------------------------------------------------

def _drop_all_handlers():
    """Flush, close and forget every handler created so far."""
    femtologging._handlers.clear()
    femtologging.shutdown(femtologging._handlerList[:])
    del femtologging._handlerList[:]


class _LeftOutLoggers:
    """The loggers that existed before a configuration and that it does not name.

    ``mention(name)`` is called for each logger the configuration sets up; ``settle()``
    then resets the left-out descendants of mentioned loggers (level NOTSET, no
    handlers, propagating) and sets ``disabled`` on the others.
    """

    def __init__(self):
        self._names = set(femtologging.root.manager.loggerDict)
        self._descendants = set()

    def mention(self, name):
        """Record that the configuration sets up logger *name*."""
        if name in self._names:
            prefix = name + "."
            self._descendants.update(n for n in self._names if n.startswith(prefix))
            self._names.discard(name)

    def settle(self, disable):
        """Reset or disable (according to *disable*) every left-out logger."""
        registry = femtologging.root.manager.loggerDict
        for name in sorted(self._names):
            node = registry[name]
            if name not in self._descendants:
                node.disabled = disable
            elif not isinstance(node, femtologging.PlaceHolder):
                node.setLevel(femtologging.NOTSET)
                node.handlers = []
                node.propagate = True


def _replace_handlers(logger, new_handlers):
    """Remove *logger*'s handlers, then add *new_handlers* in order."""
    for old in list(logger.handlers):
        logger.removeHandler(old)
    for handler in new_handlers:
        logger.addHandler(handler)


# ---------------------------------------------------------------------------
# fileConfig
# ---------------------------------------------------------------------------

def fileConfig(fname, defaults=None, disable_existing_loggers=True, encoding=None):
    """Configure logging from a ``configparser``-format file.

    *fname* is a path, a file-like object with ``readline``, or an already
    loaded ``RawConfigParser``.  *defaults* go to the ``ConfigParser``;
    existing loggers not mentioned are disabled unless
    *disable_existing_loggers* is false.
    """
    parser = _ini_parser(fname, defaults, encoding)
    formatters = _ini_formatters(parser)
    with femtologging._lock:
        _drop_all_handlers()
        handlers = _ini_handlers(parser, formatters)
        _ini_loggers(parser, handlers, disable_existing_loggers)


def _ini_parser(source, defaults, encoding):
    """A loaded ``ConfigParser`` for ``fileConfig``'s *source* (see there)."""
    import configparser

    if isinstance(source, str):
        if not os.path.exists(source):
            raise FileNotFoundError(f"{source} doesn't exist")
        if os.path.getsize(source) == 0:
            raise RuntimeError(f"{source} is an empty file")
    if isinstance(source, configparser.RawConfigParser):
        return source
    parser = configparser.ConfigParser(defaults)
    try:
        if hasattr(source, "readline"):
            parser.read_file(source)
        else:
            parser.read(source, encoding=io.text_encoding(encoding))
    except configparser.ParsingError as exc:
        raise RuntimeError(f"{source} is invalid: {exc}")
    return parser


def _ini_keys(parser, section):
    """The names in ``[section] keys``, spaces stripped (none for an empty value)."""
    text = parser[section]["keys"]
    return [key.strip() for key in text.split(",")] if text else []


def _ini_namespace():
    """Globals in which ``class``/``args``/``kwargs``/``defaults`` of a file config are read.

    stdlib evaluates them in ``vars(logging)``, which also holds the modules that
    ``logging`` imports; the same names are offered here.
    """
    import time
    import warnings
    import weakref

    namespace = dict(vars(femtologging))
    for module in (sys, os, io, re, time, traceback, threading, warnings, weakref):
        namespace.setdefault(module.__name__, module)
    namespace.setdefault("handlers", _handlers_module())
    return namespace


def _ini_formatters(parser):
    """Build the formatters listed in ``[formatters] keys``.

    Section keys: ``format``, ``datefmt``, ``style``, ``class`` and
    ``defaults`` (a dict literal of default field values).
    """
    made = {}
    for key in _ini_keys(parser, "formatters"):
        section = "formatter_" + key

        def raw(option, fallback=None):
            return parser.get(section, option, raw=True, fallback=fallback)

        class_name = parser[section].get("class")
        factory = _resolve(class_name) if class_name else femtologging.Formatter
        args = (raw("format"), raw("datefmt"), raw("style", "%"))
        field_defaults = raw("defaults")
        if field_defaults is None:
            made[key] = factory(*args)
        else:
            made[key] = factory(*args, defaults=eval(field_defaults, _ini_namespace()))
    return made


def _ini_handler_class(text, namespace):
    """A handler ``class`` value: an expression in *namespace*, else a dotted name."""
    try:
        return eval(text, namespace)
    except (AttributeError, NameError):
        return _resolve(text)


def _ini_handlers(parser, formatters):
    """Build the handlers listed in ``[handlers] keys``."""
    keys = _ini_keys(parser, "handlers")
    if not keys:
        return {}
    namespace = _ini_namespace()
    memory_handler = _handlers_module().MemoryHandler
    made = {}
    targets = []
    for key in keys:
        section = parser["handler_" + key]
        cls = _ini_handler_class(section["class"], namespace)
        args = eval(section.get("args", "()"), namespace)
        kwargs = eval(section.get("kwargs", "{}"), namespace)
        handler = made[key] = cls(*args, **kwargs)
        handler.name = key
        if "level" in section:
            handler.setLevel(section["level"])
        formatter_key = section.get("formatter", "")
        if formatter_key:
            handler.setFormatter(formatters[formatter_key])
        # A MemoryHandler's target may be listed after it: set once all exist.
        if issubclass(cls, memory_handler) and section.get("target", ""):
            targets.append((handler, section["target"]))
    for handler, target in targets:
        handler.setTarget(made[target])
    return made


def _ini_logger(logger, section, handlers):
    """Level and handlers of one ``[logger_x]`` section."""
    if "level" in section:
        logger.setLevel(section["level"])
    names = section["handlers"]
    _replace_handlers(logger, [handlers[n.strip()] for n in names.split(",")] if names else [])


def _ini_loggers(parser, handlers, disable_existing):
    """Configure the root logger and those listed in ``[loggers] keys``."""
    keys = _ini_keys(parser, "loggers")
    keys.remove("root")
    _ini_logger(femtologging.root, parser["logger_root"], handlers)
    left_out = _LeftOutLoggers()
    for key in keys:
        section = parser["logger_" + key]
        name = section["qualname"]
        propagates = section.getint("propagate", fallback=1)
        logger = femtologging.getLogger(name)
        left_out.mention(name)
        _ini_logger(logger, section, handlers)
        logger.propagate = propagates
        logger.disabled = 0
    left_out.settle(disable_existing)


# ---------------------------------------------------------------------------
# Converting containers: values are converted (ext://, cfg://, nested dicts)
# when they are read.
# ---------------------------------------------------------------------------

class ConvertingMixin(object):
    """Shared conversion logic of the Converting* containers."""

    def _converted(self, value):
        """``value`` through the configurator; a new converting container is linked to us."""
        converted = self.configurator.convert(value)
        if converted is not value and isinstance(converted, _CONVERTING_TYPES):
            converted.parent = self
        return converted

    def convert_with_key(self, key, value, replace=True):
        """Convert *value* found under *key*, storing it back if *replace*."""
        result = self._converted(value)
        if result is not value:
            if replace:
                self[key] = result
            if isinstance(result, _CONVERTING_TYPES):
                result.key = key
        return result

    def convert(self, value):
        """Convert a value that no longer lives under a key (e.g. popped)."""
        return self._converted(value)


class ConvertingDict(dict, ConvertingMixin):
    """A dict whose values are converted when read."""

    def __getitem__(self, key):
        return self.convert_with_key(key, super().__getitem__(key))

    def get(self, key, default=None):
        """Like ``dict.get``, converting the value."""
        return self.convert_with_key(key, super().get(key, default))

    def pop(self, key, default=None):
        """Like ``dict.pop``, converting the value."""
        return self.convert_with_key(key, super().pop(key, default), False)


class ConvertingList(list, ConvertingMixin):
    """A list whose items are converted when read."""

    def __getitem__(self, key):
        return self.convert_with_key(key, super().__getitem__(key))

    def pop(self, idx=-1):
        """Like ``list.pop``, converting the item."""
        return self.convert(super().pop(idx))


class ConvertingTuple(tuple, ConvertingMixin):
    """A tuple whose items are converted when read."""

    def __getitem__(self, key):
        return self.convert_with_key(key, super().__getitem__(key), False)


_CONVERTING_TYPES = (ConvertingDict, ConvertingList, ConvertingTuple)


def _converting(value):
    """The converting container type for *value*, or None if it stays as it is."""
    if isinstance(value, dict):
        return ConvertingDict
    if isinstance(value, list):
        return ConvertingList
    # Named tuples are left alone.
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return ConvertingTuple
    return None


class BaseConfigurator(object):
    """Resolution and conversion helpers shared by configurators.

    Strings ``ext://dotted.name`` become the named object; ``cfg://path``
    refers to another part of the configuration, e.g.
    ``cfg://handlers.email[toaddrs][0]``.
    """

    CONVERT_PATTERN = re.compile(r"^(?P<prefix>[a-z]+)://(?P<suffix>.*)$")

    WORD_PATTERN = re.compile(r"^\s*(\w+)\s*")
    DOT_PATTERN = re.compile(r"^\.\s*(\w+)\s*")
    if _PY313:
        INDEX_PATTERN = re.compile(r"^\[([^\[\]]*)\]\s*")
    else:
        INDEX_PATTERN = re.compile(r"^\[\s*(\w+)\s*\]\s*")
    DIGIT_PATTERN = re.compile(r"^\d+$")

    value_converters = {
        "ext": "ext_convert",
        "cfg": "cfg_convert",
    }

    importer = staticmethod(__import__)

    def __init__(self, config):
        self.config = ConvertingDict(config)
        self.config.configurator = self

    def _import_name(self, name):
        # The default importer maps ``logging`` names to femtologging; a replaced one is used as is.
        if self.importer is __import__:
            return _import(name)
        return self.importer(name)

    def resolve(self, s):
        """Import/getattr a dotted name; ValueError if it cannot be found."""
        try:
            return _walk_dotted(s, self._import_name)
        except ImportError as exc:
            raise ValueError("Cannot resolve %r: %s" % (s, exc)) from exc

    def ext_convert(self, value):
        """Converter for ``ext://``: the object named by *value*."""
        return self.resolve(value)

    def _step(self, node, rest, whole):
        """Follow one ``.name`` or ``[index]`` of a ``cfg://`` path: (new node, rest)."""
        attr = self.DOT_PATTERN.match(rest)
        if attr:
            return node[attr.group(1)], rest[attr.end():]
        index = self.INDEX_PATTERN.match(rest)
        if index is None:
            raise ValueError("Unable to convert %r at %r" % (whole, rest))
        key = index.group(1)
        if self.DIGIT_PATTERN.match(key):
            try:
                return node[int(key)], rest[index.end():]
            except TypeError:
                pass  # not a sequence: the digits are a mapping key
        return node[key], rest[index.end():]

    def cfg_convert(self, value):
        """Converter for ``cfg://``: follow a path into the configuration."""
        head = self.WORD_PATTERN.match(value)
        if head is None:
            raise ValueError("Unable to convert %r" % value)
        node, rest = self.config[head.group(1)], value[head.end():]
        while rest:
            node, rest = self._step(node, rest, value)
        return node

    def convert(self, value):
        """Wrap containers in converting versions; apply ``xxx://`` converters."""
        container = _converting(value)
        if container is not None:
            if not isinstance(value, container):
                value = container(value)
                value.configurator = self
            return value
        if isinstance(value, str):
            found = self.CONVERT_PATTERN.match(value)
            converter = found and self.value_converters.get(found.group("prefix"))
            if converter:
                return getattr(self, converter)(found.group("suffix"))
        return value

    def _factory(self, spec):
        """A ``'()'`` value: a callable, or the dotted name of one."""
        return spec if callable(spec) else self.resolve(spec)

    def configure_custom(self, config):
        """Build an object from a ``'()'`` factory and its keyword items.

        The ``'.'`` item, if present, is a dict of attributes set afterwards.
        """
        factory = self._factory(config.pop("()"))
        made = factory(**_keyword_items(config))
        _set_attributes(made, config.pop(".", None))
        return made

    def as_tuple(self, value):
        """Turn a list into a tuple; leave anything else alone."""
        if isinstance(value, list):
            return tuple(value)
        return value


# The methods an object needs to serve as a QueueHandler's queue (3.12 takes queue.Queue only).
if _PY313:
    _QUEUE_METHODS = ("empty", "full", "get", "get_nowait", "put", "put_nowait", "join",
                      "qsize", "task_done")
elif _PY312:
    _QUEUE_METHODS = None
else:
    _QUEUE_METHODS = ("put", "put_nowait", "get")


def _is_queue_like(obj):
    """True for objects the running Python's dictConfig accepts as a QueueHandler queue."""
    if isinstance(obj, queue.Queue):
        return True
    if _QUEUE_METHODS is None:
        return False
    if _PY313:
        from multiprocessing.queues import Queue as ProcessQueue
        if isinstance(obj, ProcessQueue):
            return True
    return all(callable(getattr(obj, method, None)) for method in _QUEUE_METHODS)


class _Deferred(TypeError):
    """A handler refers to another one that is built later; ``configure`` retries it."""


def _call_accepting_strm(factory, kwargs):
    """``factory(**kwargs)``, retried with ``stream`` renamed ``strm`` when the factory rejects
    ``stream`` (handlers written for old Pythons use that name)."""
    try:
        return factory(**kwargs)
    except TypeError as exc:
        if "'stream'" not in str(exc):
            raise
        kwargs["strm"] = kwargs.pop("stream")
        return factory(**kwargs)


class DictConfigurator(BaseConfigurator):
    """Configure logging from a dictionary (the ``dictConfig`` schema)."""

    def configure(self):
        """Apply the configuration held in ``self.config``."""
        config = self.config
        if "version" not in config:
            raise ValueError("dictionary doesn't specify a version")
        version = config["version"]
        if version != 1:
            raise ValueError("Unsupported version: %s" % version)
        if config.pop("incremental", False):
            apply = self._apply_levels_only
        else:
            apply = self._apply_everything
        with femtologging._lock:
            apply(config)

    def _apply_loggers(self, config, incremental):
        loggers = config.get("loggers", {})
        for name in loggers:
            _reraise_as("Unable to configure logger %r" % name,
                        self.configure_logger, name, loggers[name], incremental)

    def _apply_root(self, config, incremental):
        root = config.get("root", None)
        if root:
            _reraise_as("Unable to configure root logger", self.configure_root, root, incremental)

    def _apply_levels_only(self, config):
        """``incremental``: only levels of existing handlers and loggers change."""
        handlers = config.get("handlers", {})
        for name in handlers:
            existing = femtologging._handlers.get(name)
            if existing is None:
                raise ValueError("No handler found with name %r" % name)
            _reraise_as("Unable to configure handler %r" % name,
                        self._set_handler_level, existing, handlers[name])
        self._apply_loggers(config, True)
        self._apply_root(config, True)

    @staticmethod
    def _set_handler_level(handler, handler_config):
        level = handler_config.get("level", None)
        if level:
            handler.setLevel(femtologging._checkLevel(level))

    def _build_each(self, section, build, what):
        """Replace every entry of ``config[section]`` by ``build(entry)``."""
        entries = self.config.get(section, {})
        for name in entries:
            entries[name] = _reraise_as("Unable to configure %s %r" % (what, name),
                                        build, entries[name])

    def _build_handler(self, handlers, name):
        built = self.configure_handler(handlers[name])
        built.name = name
        handlers[name] = built

    def _build_handlers(self):
        """Build the handlers in name order; one referring to a later one is retried."""
        handlers = self.config.get("handlers", {})
        retry = []
        for name in sorted(handlers):
            try:
                self._build_handler(handlers, name)
            except Exception as exc:
                if not isinstance(exc.__cause__, _Deferred):
                    raise ValueError("Unable to configure handler %r" % name) from exc
                retry.append(name)
        for name in retry:
            _reraise_as("Unable to configure handler %r" % name,
                        self._build_handler, handlers, name)

    def _apply_everything(self, config):
        disable_existing = config.pop("disable_existing_loggers", True)
        _drop_all_handlers()
        self._build_each("formatters", self.configure_formatter, "formatter")
        self._build_each("filters", self.configure_filter, "filter")
        self._build_handlers()
        left_out = _LeftOutLoggers()
        for name in config.get("loggers", {}):
            left_out.mention(name)
        self._apply_loggers(config, False)
        left_out.settle(disable_existing)
        self._apply_root(config, False)

    def configure_formatter(self, config):
        """Build a formatter from its dictionary.

        Keys: ``format``, ``datefmt``, ``style``, ``validate``, ``defaults``,
        ``class``, or ``'()'`` for a factory.
        """
        if "()" in config:
            factory = config["()"]
            try:
                return self.configure_custom(config)
            except TypeError as exc:
                if "'format'" not in str(exc):
                    raise
                # Factories taking ``fmt`` (like Formatter itself) get it under that name.
                config["fmt"] = config.pop("format")
                config["()"] = factory
                return self.configure_custom(config)
        class_name = config.get("class", None)
        cls = _resolve(class_name) if class_name else femtologging.Formatter
        args = [config.get("format", None), config.get("datefmt", None),
                config.get("style", "%")]
        if "validate" in config:
            args.append(config["validate"])
        options = {}
        if config.get("defaults", None) is not None:
            options["defaults"] = config["defaults"]
        return cls(*args, **options)

    def configure_filter(self, config):
        """Build a filter from its dictionary (``name`` or ``'()'``)."""
        if "()" in config:
            return self.configure_custom(config)
        return femtologging.Filter(config.get("name", ""))

    def _entry(self, section, name):
        """``config[section][name]``: a formatter, filter or handler built earlier."""
        return self.config[section][name]

    def _add_filter(self, filterer, spec):
        """Add one filter: a filter object or callable, else a key of ``filters``."""
        if not (callable(spec) or callable(getattr(spec, "filter", None))):
            spec = self._entry("filters", spec)
        filterer.addFilter(spec)

    def add_filters(self, filterer, filters):
        """Add filters (names from the config, or filter objects) to *filterer*."""
        for spec in filters:
            _reraise_as("Unable to add filter %r" % spec, self._add_filter, filterer, spec)

    def _built_handler(self, name, original, config, not_ready):
        """The built handler *name*; if it is not built yet, restore *config* and defer."""
        found = self._entry("handlers", name)
        if not isinstance(found, femtologging.Handler):
            config.update(original)  # so the retry starts from the original keys
            raise _Deferred(not_ready)
        return found

    def _memory_target(self, config, original):
        name = config["target"]
        config["target"] = _reraise_as(
            "Unable to set target handler %r" % name,
            self._built_handler, name, original, config, "target not configured yet")

    def _queue_spec(self, spec):
        """A QueueHandler's ``queue`` value: a queue, or how to make one."""
        if isinstance(spec, str):
            made = self.resolve(spec)
            if callable(made):
                return made()
        elif isinstance(spec, dict):
            if "()" in spec:
                return self.configure_custom(dict(spec))
        elif _is_queue_like(spec):
            return spec
        raise TypeError("Invalid queue specifier %r" % spec)

    def _listener_spec(self, spec):
        """A QueueHandler's ``listener`` value: a QueueListener class or a factory."""
        listener_class = _handlers_module().QueueListener
        invalid = TypeError("Invalid listener specifier %r" % spec)
        if isinstance(spec, type):
            if not issubclass(spec, listener_class):
                raise invalid
            return spec
        if isinstance(spec, str):
            made = self.resolve(spec)
            if isinstance(made, type) and not issubclass(made, listener_class):
                raise invalid
        elif isinstance(spec, dict) and "()" in spec:
            made = self.configure_custom(dict(spec))
        else:
            raise invalid
        if not callable(made):
            raise invalid
        return made

    def _queue_settings(self, config, original):
        """Resolve a QueueHandler configuration's ``queue``, ``listener`` and ``handlers``."""
        if sys.version_info[:2] == (3, 12) and "handlers" not in config:
            raise ValueError("No handlers specified for a QueueHandler")
        if "queue" in config:
            config["queue"] = self._queue_spec(config["queue"])
        if "listener" in config:
            config["listener"] = self._listener_spec(config["listener"])
        if "handlers" in config:
            built = []
            for name in config["handlers"]:
                built.append(_reraise_as(
                    "Unable to set required handler %r" % name, self._built_handler, name,
                    original, config, "Required handler %r is not configured yet" % name))
            config["handlers"] = built

    @staticmethod
    def _queue_factory(cls):
        """Build a QueueHandler of *cls* and attach its listener, as stdlib's dictConfig does."""
        def build(**kwargs):
            q = kwargs.pop("queue") if "queue" in kwargs else queue.Queue()
            listener_class = kwargs.pop("listener", _handlers_module().QueueListener)
            respect = kwargs.pop("respect_handler_level", False)
            targets = kwargs.pop("handlers", [])
            if not _PY313:
                kwargs = {}  # before 3.13 the handler got the queue only
            handler = cls(q, **kwargs)
            handler.listener = listener_class(q, *targets, respect_handler_level=respect)
            return handler
        return build

    def _handler_factory(self, config, original):
        """The callable that makes the handler: ``'()'`` or ``class`` (with its special keys)."""
        if "()" in config:
            return self._factory(config.pop("()"))
        cls = self._factory(config.pop("class"))
        hmod = _handlers_module()
        if issubclass(cls, hmod.MemoryHandler):
            if _PY313 and "flushLevel" in config:
                config["flushLevel"] = femtologging._checkLevel(config["flushLevel"])
            if "target" in config:
                self._memory_target(config, original)
        elif issubclass(cls, hmod.QueueHandler):
            self._queue_settings(config, original)
            return self._queue_factory(cls)
        elif issubclass(cls, hmod.SMTPHandler):
            if "mailhost" in config:
                config["mailhost"] = self.as_tuple(config["mailhost"])
        elif issubclass(cls, hmod.SysLogHandler):
            if "address" in config:
                config["address"] = self.as_tuple(config["address"])
        return cls

    def configure_handler(self, config):
        """Build a handler from its dictionary.

        Keys: ``class`` or ``'()'``, ``level``, ``formatter``, ``filters``,
        ``'.'`` (attributes), and constructor arguments.  ``target`` of a
        MemoryHandler and ``handlers``/``queue``/``listener`` of a
        QueueHandler name other parts of the configuration.
        """
        original = dict(config)
        formatter_name = config.pop("formatter", None)
        formatter = None
        if formatter_name:
            formatter = _reraise_as("Unable to set formatter %r" % formatter_name,
                                    self._entry, "formatters", formatter_name)
        level = config.pop("level", None)
        filters = config.pop("filters", None)
        factory = self._handler_factory(config, original)
        handler = _call_accepting_strm(factory, _keyword_items(config))
        if formatter:
            handler.setFormatter(formatter)
        if level is not None:
            handler.setLevel(femtologging._checkLevel(level))
        if filters:
            self.add_filters(handler, filters)
        _set_attributes(handler, config.pop(".", None))
        return handler

    def add_handlers(self, logger, handlers):
        """Add the named, already built handlers to *logger*."""
        for name in handlers:
            _reraise_as("Unable to add handler %r" % name,
                        lambda: logger.addHandler(self._entry("handlers", name)))

    def common_logger_config(self, logger, config, incremental=False):
        """Set level, and unless *incremental* handlers and filters."""
        level = config.get("level", None)
        if level is not None:
            logger.setLevel(femtologging._checkLevel(level))
        if incremental:
            return
        _replace_handlers(logger, ())
        for key, attach in (("handlers", self.add_handlers), ("filters", self.add_filters)):
            names = config.get(key, None)
            if names:
                attach(logger, names)

    def configure_logger(self, name, config, incremental=False):
        """Set up the logger called *name* (never the root) from its ``loggers`` entry."""
        logger = femtologging.getLogger(name)
        self.common_logger_config(logger, config, incremental)
        logger.disabled = False
        if config.get("propagate", None) is not None:
            logger.propagate = config["propagate"]

    def configure_root(self, config, incremental=False):
        """Set up the root logger from the ``root`` entry."""
        self.common_logger_config(femtologging.getLogger(), config, incremental)


dictConfigClass = DictConfigurator


def dictConfig(config):
    """Configure logging from a dictionary (see the ``dictConfig`` schema)."""
    dictConfigClass(config).configure()


# ---------------------------------------------------------------------------
# listen / stopListening
# ---------------------------------------------------------------------------

# The running config server, if any (see ``listen``/``stopListening``).
_listener = None


def _apply_received(data):
    """Apply config bytes received by the listener: JSON dict, else ini text."""
    import json

    text = data.decode("utf-8")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        try:
            dictConfig(parsed)
            return
        except Exception:
            pass  # as stdlib: a dict that dictConfig rejects is tried as ini text
    try:
        fileConfig(io.StringIO(text))
    except Exception:
        traceback.print_exc()


def _read_request(sock):
    """One request: a 4-byte big-endian length, then that many bytes (None if no header)."""
    header = sock.recv(4)
    if len(header) < 4:
        return None
    remaining = struct.unpack(">L", header)[0]
    parts = []
    while remaining:
        chunk = sock.recv(remaining)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


class _ConfigRequest(socketserver.StreamRequestHandler):
    """Reads one configuration from the connection and applies it."""

    def handle(self):
        server = self.server
        try:
            data = _read_request(self.connection)
            if data is None:
                return
            if server.verify is not None:
                data = server.verify(data)
            if data is not None:
                _apply_received(data)
            if server.ready:
                server.ready.set()
        except OSError as exc:
            if exc.errno != RESET_ERROR:
                raise


class _ConfigServer(socketserver.ThreadingTCPServer):
    """TCP server that checks its ``abort`` flag between requests."""

    allow_reuse_address = True

    def __init__(self, port, ready, verify):
        super().__init__(("localhost", port), _ConfigRequest)
        self.abort = 0
        self.timeout = 1
        self.ready = ready
        self.verify = verify

    def _stopped(self):
        with femtologging._lock:
            return self.abort

    def serve_until_stopped(self):
        """Serve requests until ``stopListening()`` sets ``abort``."""
        import select

        while not self._stopped():
            readable, _, _ = select.select([self.socket.fileno()], [], [], self.timeout)
            if readable:
                self.handle_request()
        self.server_close()


class _ListenerThread(threading.Thread):
    """The thread ``listen()`` returns: it owns the config server."""

    def __init__(self, port, verify):
        super().__init__()
        self.port = port
        self.verify = verify
        self.ready = threading.Event()

    def run(self):
        global _listener
        server = _ConfigServer(self.port, self.ready, self.verify)
        if self.port == 0:
            self.port = server.server_address[1]
        self.ready.set()
        with femtologging._lock:
            _listener = server
        server.serve_until_stopped()


def listen(port=DEFAULT_LOGGING_CONFIG_PORT, verify=None):
    """Return an unstarted thread serving configuration requests on *port*.

    Each request is a 4-byte big-endian length followed by that many bytes:
    a JSON ``dictConfig`` dictionary or a ``fileConfig`` text.  *verify*, if
    given, receives the bytes and returns the bytes to use, or None to
    ignore the request.  Call ``start()`` on the result; ``stopListening()``
    ends it.  With port 0 the chosen port is in ``thread.port`` once
    ``thread.ready`` is set.
    """
    return _ListenerThread(port, verify)


def stopListening():
    """Stop the server started by ``listen()`` (it exits within a second)."""
    global _listener
    with femtologging._lock:
        if _listener:
            _listener.abort = 1
            _listener = None
