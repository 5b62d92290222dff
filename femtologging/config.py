"""Configuration: femtologging's equivalent of the standard ``logging.config``.

``dictConfig`` takes the dictionary schema (version 1), ``fileConfig`` the
``configparser`` format, and ``listen``/``stopListening`` run a small socket
server that accepts new configurations.  The core package is used only
through its public stdlib-shaped names, looked up at call time.

Dotted names in configurations that start with ``logging`` are resolved
against ``femtologging`` (so ``"logging.StreamHandler"`` means
``femtologging.StreamHandler``); this package never imports the standard
``logging`` package.
"""

import errno
import io
import os
import queue
import re
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

# The running config server, if any (see ``listen``/``stopListening``).
_listener = None

IDENTIFIER = re.compile('^[a-z_][a-z0-9_]*$', re.I)


def valid_ident(s):
    """Return True if *s* is a valid keyword-argument name, else ValueError."""
    if IDENTIFIER.match(s) is None:
        raise ValueError('Not a valid Python identifier: %r' % s)
    return True


def _handlers_module():
    """The ``femtologging.handlers`` module (imported on first use)."""
    mod = getattr(femtologging, 'handlers', None)
    if mod is None:
        mod = sys.modules.get('femtologging.handlers')
    if mod is None:
        import importlib
        mod = importlib.import_module('femtologging.handlers')
    return mod


def _module_name(name):
    """Map ``logging``/``logging.x`` to the femtologging equivalent."""
    if name == 'logging' or name.startswith('logging.'):
        return 'femtologging' + name[len('logging'):]
    return name


def _import(name):
    """``__import__`` that sends ``logging`` names to femtologging."""
    return __import__(_module_name(name))


def _walk_dotted(name, importer):
    """Resolve ``pkg.mod.attr`` by importing/getattr'ing one part at a time."""
    parts = name.split('.')
    so_far = parts[0]
    obj = importer(so_far)
    for part in parts[1:]:
        so_far += '.' + part
        try:
            obj = getattr(obj, part)
        except AttributeError:
            importer(so_far)
            obj = getattr(obj, part)
    return obj


def _resolve(name):
    """Resolve a dotted name to an object (``ImportError`` if impossible)."""
    return _walk_dotted(name, _import)


def _split_keys(text):
    """Split a comma-separated key list, dropping surrounding spaces."""
    return [part.strip() for part in text.split(',')]


def _clearExistingHandlers():
    """Close and forget every handler created so far."""
    femtologging._handlers.clear()
    femtologging.shutdown(femtologging._handlerList[:])
    del femtologging._handlerList[:]


def _handle_existing_loggers(existing, child_loggers, disable_existing):
    """Deal with loggers that existed but are not named by the new config.

    Children of configured loggers are reset (level NOTSET, no handlers,
    propagating); the others are disabled if *disable_existing* is true.
    """
    logger_dict = femtologging.root.manager.loggerDict
    for name in existing:
        logger = logger_dict[name]
        if name not in child_loggers:
            logger.disabled = disable_existing
        elif not isinstance(logger, femtologging.PlaceHolder):
            logger.setLevel(femtologging.NOTSET)
            logger.handlers = []
            logger.propagate = True


def _children_of(name, existing):
    """Names in sorted *existing* that are descendants of logger *name*."""
    prefix = name + '.'
    start = existing.index(name) + 1
    return [other for other in existing[start:] if other.startswith(prefix)]


# ---------------------------------------------------------------------------
# fileConfig
# ---------------------------------------------------------------------------

def _eval_namespace():
    """Globals in which ``class``/``args``/``kwargs`` of a file config are read."""
    import time
    import warnings
    import weakref
    ns = dict(vars(femtologging))
    for mod in (sys, os, io, re, time, traceback, threading, warnings, weakref):
        ns.setdefault(mod.__name__, mod)
    ns.setdefault('handlers', _handlers_module())
    return ns


def fileConfig(fname, defaults=None, disable_existing_loggers=True, encoding=None):
    """Configure logging from a ``configparser``-format file.

    *fname* is a path, a file-like object with ``readline``, or an already
    loaded ``RawConfigParser``.  *defaults* go to the ``ConfigParser``;
    existing loggers not mentioned are disabled unless
    *disable_existing_loggers* is false.
    """
    import configparser

    if isinstance(fname, str):
        if not os.path.exists(fname):
            raise FileNotFoundError(f"{fname} doesn't exist")
        if not os.path.getsize(fname):
            raise RuntimeError(f'{fname} is an empty file')

    if isinstance(fname, configparser.RawConfigParser):
        cp = fname
    else:
        try:
            cp = configparser.ConfigParser(defaults)
            if hasattr(fname, 'readline'):
                cp.read_file(fname)
            else:
                cp.read(fname, encoding=io.text_encoding(encoding))
        except configparser.ParsingError as e:
            raise RuntimeError(f'{fname} is invalid: {e}')

    formatters = _create_formatters(cp)
    femtologging._acquireLock()
    try:
        _clearExistingHandlers()
        handlers = _install_handlers(cp, formatters)
        _install_loggers(cp, handlers, disable_existing_loggers)
    finally:
        femtologging._releaseLock()


def _create_formatters(cp):
    """Build the formatters listed in ``[formatters] keys``.

    Section keys: ``format``, ``datefmt``, ``style``, ``class`` and
    ``defaults`` (a dict literal of default field values).
    """
    keys = cp["formatters"]["keys"]
    if not keys:
        return {}
    made = {}
    namespace = None
    for key in _split_keys(keys):
        section = "formatter_%s" % key
        fmt = cp.get(section, "format", raw=True, fallback=None)
        datefmt = cp.get(section, "datefmt", raw=True, fallback=None)
        style = cp.get(section, "style", raw=True, fallback='%')
        defaults = cp.get(section, "defaults", raw=True, fallback=None)
        class_name = cp[section].get("class")
        factory = _resolve(class_name) if class_name else femtologging.Formatter
        if defaults is None:
            made[key] = factory(fmt, datefmt, style)
        else:
            # ``defaults`` is a Python dict literal (as in Python 3.12).
            if namespace is None:
                namespace = _eval_namespace()
            made[key] = factory(fmt, datefmt, style,
                                defaults=eval(defaults, namespace))
    return made


def _install_handlers(cp, formatters):
    """Build the handlers listed in ``[handlers] keys``."""
    keys = cp["handlers"]["keys"]
    if not keys:
        return {}
    namespace = _eval_namespace()
    memory_handler = _handlers_module().MemoryHandler
    made = {}
    targets = []
    for key in _split_keys(keys):
        section = cp["handler_%s" % key]
        class_text = section["class"]
        try:
            klass = eval(class_text, namespace)
        except (AttributeError, NameError):
            klass = _resolve(class_text)
        args = eval(section.get("args", '()'), namespace)
        kwargs = eval(section.get("kwargs", '{}'), namespace)
        handler = klass(*args, **kwargs)
        handler.name = key
        if "level" in section:
            handler.setLevel(section["level"])
        fmt_key = section.get("formatter", "")
        if fmt_key:
            handler.setFormatter(formatters[fmt_key])
        if issubclass(klass, memory_handler):
            target = section.get("target", "")
            if target:
                # The target may be defined further down the list.
                targets.append((handler, target))
        made[key] = handler
    for handler, target in targets:
        handler.setTarget(made[target])
    return made


def _configure_file_logger(logger, section, handlers):
    if "level" in section:
        logger.setLevel(section["level"])
    for old in logger.handlers[:]:
        logger.removeHandler(old)
    names = section["handlers"]
    if names:
        for name in _split_keys(names):
            logger.addHandler(handlers[name])


def _install_loggers(cp, handlers, disable_existing):
    """Configure the root logger and those listed in ``[loggers] keys``."""
    names = _split_keys(cp["loggers"]["keys"])
    names.remove("root")
    _configure_file_logger(femtologging.root, cp["logger_root"], handlers)

    existing = sorted(femtologging.root.manager.loggerDict.keys())
    child_loggers = []
    for key in names:
        section = cp["logger_%s" % key]
        qualname = section["qualname"]
        propagate = section.getint("propagate", fallback=1)
        logger = femtologging.getLogger(qualname)
        if qualname in existing:
            child_loggers.extend(_children_of(qualname, existing))
            existing.remove(qualname)
        if "level" in section:
            logger.setLevel(section["level"])
        for old in logger.handlers[:]:
            logger.removeHandler(old)
        logger.propagate = propagate
        logger.disabled = 0
        hnames = section["handlers"]
        if hnames:
            for name in _split_keys(hnames):
                logger.addHandler(handlers[name])
    _handle_existing_loggers(existing, child_loggers, disable_existing)


# ---------------------------------------------------------------------------
# Converting containers: values are converted (ext://, cfg://, nested dicts)
# when they are read.
# ---------------------------------------------------------------------------

_CONVERTING_TYPES = ()


class ConvertingMixin(object):
    """Shared conversion logic of the Converting* containers."""

    def _adopt(self, result, key=None, has_key=False):
        if type(result) in _CONVERTING_TYPES:
            result.parent = self
            if has_key:
                result.key = key
        return result

    def convert_with_key(self, key, value, replace=True):
        """Convert *value* found under *key*, storing it back if *replace*."""
        result = self.configurator.convert(value)
        if result is value:
            return result
        if replace:
            self[key] = result
        return self._adopt(result, key, True)

    def convert(self, value):
        """Convert a value that no longer lives under a key (e.g. popped)."""
        result = self.configurator.convert(value)
        if result is value:
            return result
        return self._adopt(result)


class ConvertingDict(dict, ConvertingMixin):
    """A dict whose values are converted when read."""

    def __getitem__(self, key):
        return self.convert_with_key(key, dict.__getitem__(self, key))

    def get(self, key, default=None):
        """Like ``dict.get``, converting the value."""
        return self.convert_with_key(key, dict.get(self, key, default))

    def pop(self, key, default=None):
        """Like ``dict.pop``, converting the value."""
        return self.convert_with_key(key, dict.pop(self, key, default),
                                     replace=False)


class ConvertingList(list, ConvertingMixin):
    """A list whose items are converted when read."""

    def __getitem__(self, key):
        return self.convert_with_key(key, list.__getitem__(self, key))

    def pop(self, idx=-1):
        """Like ``list.pop``, converting the item."""
        return self.convert(list.pop(self, idx))


class ConvertingTuple(tuple, ConvertingMixin):
    """A tuple whose items are converted when read."""

    def __getitem__(self, key):
        return self.convert_with_key(key, tuple.__getitem__(self, key),
                                     replace=False)


_CONVERTING_TYPES = (ConvertingDict, ConvertingList, ConvertingTuple)


class BaseConfigurator(object):
    """Resolution and conversion helpers shared by configurators.

    Strings ``ext://dotted.name`` become the named object; ``cfg://path``
    refers to another part of the configuration, e.g.
    ``cfg://handlers.email[toaddrs][0]``.
    """

    CONVERT_PATTERN = re.compile(r'^(?P<prefix>[a-z]+)://(?P<suffix>.*)$')

    WORD_PATTERN = re.compile(r'^\s*(\w+)\s*')
    DOT_PATTERN = re.compile(r'^\.\s*(\w+)\s*')
    # 3.13 accepts any key without brackets inside ``[...]``; earlier versions a word.
    INDEX_PATTERN = re.compile(r'^\[([^\[\]]*)\]\s*' if _compat.PY313 else r'^\[\s*(\w+)\s*\]\s*')
    DIGIT_PATTERN = re.compile(r'^\d+$')

    value_converters = {
        'ext': 'ext_convert',
        'cfg': 'cfg_convert',
    }

    importer = staticmethod(__import__)

    def __init__(self, config):
        self.config = ConvertingDict(config)
        self.config.configurator = self

    def _import_name(self, name):
        importer = self.importer
        if importer is __import__:
            return _import(name)
        return importer(name)

    def resolve(self, s):
        """Import/getattr a dotted name; ValueError if it cannot be found."""
        try:
            return _walk_dotted(s, self._import_name)
        except ImportError as e:
            raise ValueError('Cannot resolve %r: %s' % (s, e)) from e

    def ext_convert(self, value):
        """Converter for ``ext://``: the object named by *value*."""
        return self.resolve(value)

    def _index(self, container, idx):
        if not self.DIGIT_PATTERN.match(idx):
            return container[idx]
        try:
            return container[int(idx)]
        except TypeError:
            return container[idx]

    def cfg_convert(self, value):
        """Converter for ``cfg://``: follow a path into the configuration."""
        m = self.WORD_PATTERN.match(value)
        if m is None:
            raise ValueError("Unable to convert %r" % value)
        node = self.config[m.group(1)]
        rest = value[m.end():]
        while rest:
            m = self.DOT_PATTERN.match(rest)
            if m:
                node = node[m.group(1)]
            else:
                m = self.INDEX_PATTERN.match(rest)
                if m is None:
                    raise ValueError('Unable to convert %r at %r' % (value, rest))
                node = self._index(node, m.group(1))
            rest = rest[m.end():]
        return node

    def convert(self, value):
        """Wrap containers in converting versions; apply ``xxx://`` converters."""
        if isinstance(value, dict):
            if not isinstance(value, ConvertingDict):
                value = ConvertingDict(value)
                value.configurator = self
        elif isinstance(value, list):
            if not isinstance(value, ConvertingList):
                value = ConvertingList(value)
                value.configurator = self
        elif isinstance(value, tuple):
            # Named tuples are left alone.
            if not isinstance(value, ConvertingTuple) and not hasattr(value, '_fields'):
                value = ConvertingTuple(value)
                value.configurator = self
        elif isinstance(value, str):
            m = self.CONVERT_PATTERN.match(value)
            if m:
                method = self.value_converters.get(m.group('prefix'))
                if method:
                    value = getattr(self, method)(m.group('suffix'))
        return value

    def configure_custom(self, config):
        """Build an object from a ``'()'`` factory and its keyword items.

        The ``'.'`` item, if present, is a dict of attributes set afterwards.
        """
        factory = config.pop('()')
        if not callable(factory):
            factory = self.resolve(factory)
        kwargs = {k: config[k] for k in config if k != '.' and valid_ident(k)}
        result = factory(**kwargs)
        props = config.pop('.', None)
        if props:
            for name, value in props.items():
                setattr(result, name, value)
        return result

    def as_tuple(self, value):
        """Turn a list into a tuple; leave anything else alone."""
        return tuple(value) if isinstance(value, list) else value


# The methods an object needs to serve as a QueueHandler queue (3.13 checks all of them).
_QUEUE_METHODS = (('empty', 'full', 'get', 'get_nowait', 'put', 'put_nowait', 'join', 'qsize',
                   'task_done') if _compat.PY313 else ('put', 'put_nowait', 'get'))


def _is_queue_like(obj):
    """True for objects usable as a QueueHandler queue."""
    if isinstance(obj, queue.Queue):
        return True
    if _compat.PY313:
        from multiprocessing.queues import Queue as ProcessQueue  # only when asked
        if isinstance(obj, ProcessQueue):
            return True
    return all(callable(getattr(obj, name, None)) for name in _QUEUE_METHODS)


class DictConfigurator(BaseConfigurator):
    """Configure logging from a dictionary (the ``dictConfig`` schema)."""

    def configure(self):
        """Apply the configuration held in ``self.config``."""
        config = self.config
        if 'version' not in config:
            raise ValueError("dictionary doesn't specify a version")
        if config['version'] != 1:
            raise ValueError("Unsupported version: %s" % config['version'])
        incremental = config.pop('incremental', False)
        femtologging._acquireLock()
        try:
            if incremental:
                self._configure_incremental(config)
            else:
                self._configure_full(config)
        finally:
            femtologging._releaseLock()

    def _configure_incremental(self, config):
        handlers = config.get('handlers', {})
        for name in handlers:
            if name not in femtologging._handlers:
                raise ValueError('No handler found with name %r' % name)
            try:
                handler = femtologging._handlers[name]
                level = handlers[name].get('level', None)
                if level:
                    handler.setLevel(femtologging._checkLevel(level))
            except Exception as e:
                raise ValueError('Unable to configure handler %r' % name) from e
        loggers = config.get('loggers', {})
        for name in loggers:
            try:
                self.configure_logger(name, loggers[name], True)
            except Exception as e:
                raise ValueError('Unable to configure logger %r' % name) from e
        root = config.get('root', None)
        if root:
            try:
                self.configure_root(root, True)
            except Exception as e:
                raise ValueError('Unable to configure root logger') from e

    def _configure_section(self, config, section, build, what):
        items = config.get(section, {})
        for name in items:
            try:
                items[name] = build(items[name])
            except Exception as e:
                raise ValueError('Unable to configure %s %r' % (what, name)) from e

    def _build_handler(self, handlers, name):
        handler = self.configure_handler(handlers[name])
        handler.name = name
        handlers[name] = handler

    def _configure_full(self, config):
        disable_existing = config.pop('disable_existing_loggers', True)
        _clearExistingHandlers()
        self._configure_section(config, 'formatters', self.configure_formatter,
                                'formatter')
        self._configure_section(config, 'filters', self.configure_filter,
                                'filter')

        handlers = config.get('handlers', {})
        # Handlers that refer to others not yet built are retried once the
        # rest exist.
        deferred = []
        for name in sorted(handlers):
            try:
                self._build_handler(handlers, name)
            except Exception as e:
                if ' not configured yet' in str(e.__cause__):
                    deferred.append(name)
                else:
                    raise ValueError('Unable to configure handler %r' % name) from e
        for name in deferred:
            try:
                self._build_handler(handlers, name)
            except Exception as e:
                raise ValueError('Unable to configure handler %r' % name) from e

        existing = sorted(femtologging.root.manager.loggerDict.keys())
        child_loggers = []
        loggers = config.get('loggers', {})
        for name in loggers:
            if name in existing:
                child_loggers.extend(_children_of(name, existing))
                existing.remove(name)
            try:
                self.configure_logger(name, loggers[name])
            except Exception as e:
                raise ValueError('Unable to configure logger %r' % name) from e
        _handle_existing_loggers(existing, child_loggers, disable_existing)

        root = config.get('root', None)
        if root:
            try:
                self.configure_root(root)
            except Exception as e:
                raise ValueError('Unable to configure root logger') from e

    def configure_formatter(self, config):
        """Build a formatter from its dictionary.

        Keys: ``format``, ``datefmt``, ``style``, ``validate``, ``defaults``,
        ``class``, or ``'()'`` for a factory.
        """
        if '()' in config:
            factory = config['()']
            try:
                return self.configure_custom(config)
            except TypeError as te:
                if "'format'" not in str(te):
                    raise
                # Factories taking ``fmt`` (like Formatter itself) get it.
                config['fmt'] = config.pop('format')
                config['()'] = factory
                return self.configure_custom(config)
        fmt = config.get('format', None)
        datefmt = config.get('datefmt', None)
        style = config.get('style', '%')
        class_name = config.get('class', None)
        klass = _resolve(class_name) if class_name else femtologging.Formatter
        extra = {}
        defaults = config.get('defaults', None)
        if defaults is not None:
            extra['defaults'] = defaults
        if 'validate' in config:
            return klass(fmt, datefmt, style, config['validate'], **extra)
        return klass(fmt, datefmt, style, **extra)

    def configure_filter(self, config):
        """Build a filter from its dictionary (``name`` or ``'()'``)."""
        if '()' in config:
            return self.configure_custom(config)
        return femtologging.Filter(config.get('name', ''))

    def add_filters(self, filterer, filters):
        """Add filters (names from the config, or filter objects) to *filterer*."""
        for f in filters:
            try:
                if callable(f) or callable(getattr(f, 'filter', None)):
                    chosen = f
                else:
                    chosen = self.config['filters'][f]
                filterer.addFilter(chosen)
            except Exception as e:
                raise ValueError('Unable to add filter %r' % f) from e

    def _memory_target(self, config, original):
        target_name = config['target']
        try:
            target = self.config['handlers'][target_name]
            if not isinstance(target, femtologging.Handler):
                config.update(original)  # so the retry starts afresh
                raise TypeError('target not configured yet')
            config['target'] = target
        except Exception as e:
            raise ValueError('Unable to set target handler %r' % target_name) from e

    def _queue_settings(self, config, original):
        hmod = _handlers_module()
        if 'queue' in config:
            spec = config['queue']
            if isinstance(spec, str):
                made = self.resolve(spec)
                if not callable(made):
                    raise TypeError('Invalid queue specifier %r' % spec)
                config['queue'] = made()
            elif isinstance(spec, dict):
                if '()' not in spec:
                    raise TypeError('Invalid queue specifier %r' % spec)
                config['queue'] = self.configure_custom(dict(spec))
            elif not _is_queue_like(spec):
                raise TypeError('Invalid queue specifier %r' % spec)
        if 'listener' in config:
            spec = config['listener']
            if isinstance(spec, type):
                if not issubclass(spec, hmod.QueueListener):
                    raise TypeError('Invalid listener specifier %r' % spec)
            else:
                if isinstance(spec, str):
                    made = self.resolve(spec)
                    if isinstance(made, type) and not issubclass(made, hmod.QueueListener):
                        raise TypeError('Invalid listener specifier %r' % spec)
                elif isinstance(spec, dict):
                    if '()' not in spec:
                        raise TypeError('Invalid listener specifier %r' % spec)
                    made = self.configure_custom(dict(spec))
                else:
                    raise TypeError('Invalid listener specifier %r' % spec)
                if not callable(made):
                    raise TypeError('Invalid listener specifier %r' % spec)
                config['listener'] = made
        if 'handlers' in config:
            found = []
            current = None
            try:
                for current in config['handlers']:
                    handler = self.config['handlers'][current]
                    if not isinstance(handler, femtologging.Handler):
                        config.update(original)
                        raise TypeError('Required handler %r is not configured yet'
                                        % current)
                    found.append(handler)
            except Exception as e:
                raise ValueError('Unable to set required handler %r' % current) from e
            config['handlers'] = found

    @staticmethod
    def _queue_factory(klass):
        hmod = _handlers_module()

        def build(**kwargs):
            q = kwargs.pop('queue', None)
            if q is None:
                q = queue.Queue()
            respect = kwargs.pop('respect_handler_level', False)
            listener_class = kwargs.pop('listener', hmod.QueueListener)
            targets = kwargs.pop('handlers', [])
            handler = klass(q, **kwargs)
            handler.listener = listener_class(q, *targets,
                                              respect_handler_level=respect)
            return handler
        return build

    def configure_handler(self, config):
        """Build a handler from its dictionary.

        Keys: ``class`` or ``'()'``, ``level``, ``formatter``, ``filters``,
        ``'.'`` (attributes), and constructor arguments.  ``target`` of a
        MemoryHandler and ``handlers``/``queue``/``listener`` of a
        QueueHandler name other parts of the configuration.
        """
        original = dict(config)
        formatter = config.pop('formatter', None)
        if formatter:
            try:
                formatter = self.config['formatters'][formatter]
            except Exception as e:
                raise ValueError('Unable to set formatter %r' % formatter) from e
        level = config.pop('level', None)
        filters = config.pop('filters', None)
        if '()' in config:
            factory = config.pop('()')
            if not callable(factory):
                factory = self.resolve(factory)
        else:
            class_name = config.pop('class')
            klass = class_name if callable(class_name) else self.resolve(class_name)
            hmod = _handlers_module()
            factory = klass
            if issubclass(klass, hmod.MemoryHandler):
                if _compat.PY313 and 'flushLevel' in config:
                    config['flushLevel'] = femtologging._checkLevel(config['flushLevel'])
                if 'target' in config:
                    self._memory_target(config, original)
            elif issubclass(klass, hmod.QueueHandler):
                self._queue_settings(config, original)
                factory = self._queue_factory(klass)
            elif issubclass(klass, hmod.SMTPHandler) and 'mailhost' in config:
                config['mailhost'] = self.as_tuple(config['mailhost'])
            elif issubclass(klass, hmod.SysLogHandler) and 'address' in config:
                config['address'] = self.as_tuple(config['address'])
        kwargs = {k: config[k] for k in config if k != '.' and valid_ident(k)}
        try:
            result = factory(**kwargs)
        except TypeError as te:
            if "'stream'" not in str(te):
                raise
            # Old-style handlers name the stream argument ``strm``.
            kwargs['strm'] = kwargs.pop('stream')
            result = factory(**kwargs)
        if formatter:
            result.setFormatter(formatter)
        if level is not None:
            result.setLevel(femtologging._checkLevel(level))
        if filters:
            self.add_filters(result, filters)
        props = config.pop('.', None)
        if props:
            for name, value in props.items():
                setattr(result, name, value)
        return result

    def add_handlers(self, logger, handlers):
        """Add the named, already built handlers to *logger*."""
        for h in handlers:
            try:
                logger.addHandler(self.config['handlers'][h])
            except Exception as e:
                raise ValueError('Unable to add handler %r' % h) from e

    def common_logger_config(self, logger, config, incremental=False):
        """Set level, and unless *incremental* handlers and filters."""
        level = config.get('level', None)
        if level is not None:
            logger.setLevel(femtologging._checkLevel(level))
        if incremental:
            return
        for old in logger.handlers[:]:
            logger.removeHandler(old)
        handlers = config.get('handlers', None)
        if handlers:
            self.add_handlers(logger, handlers)
        filters = config.get('filters', None)
        if filters:
            self.add_filters(logger, filters)

    def configure_logger(self, name, config, incremental=False):
        """Configure the named (non-root) logger from its dictionary."""
        logger = femtologging.getLogger(name)
        self.common_logger_config(logger, config, incremental)
        logger.disabled = False
        propagate = config.get('propagate', None)
        if propagate is not None:
            logger.propagate = propagate

    def configure_root(self, config, incremental=False):
        """Configure the root logger from its dictionary."""
        self.common_logger_config(femtologging.getLogger(), config, incremental)


dictConfigClass = DictConfigurator


def dictConfig(config):
    """Configure logging from a dictionary (see the ``dictConfig`` schema)."""
    dictConfigClass(config).configure()


# ---------------------------------------------------------------------------
# listen / stopListening
# ---------------------------------------------------------------------------

def _apply_received(data):
    """Apply config bytes received by the listener: JSON dict, else ini text."""
    text = data.decode("utf-8")
    try:
        import json
        parsed = json.loads(text)
        if not isinstance(parsed, dict):
            raise TypeError("a JSON configuration must be an object")
        dictConfig(parsed)
        return
    except Exception:
        pass
    try:
        fileConfig(io.StringIO(text))
    except Exception:
        traceback.print_exc()


def _recv_exactly(conn, size):
    data = b''
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def listen(port=DEFAULT_LOGGING_CONFIG_PORT, verify=None):
    """Return an unstarted thread serving configuration requests on *port*.

    Each request is a 4-byte big-endian length followed by that many bytes:
    a JSON ``dictConfig`` dictionary or a ``fileConfig`` text.  *verify*, if
    given, receives the bytes and returns the bytes to use, or None to
    ignore the request.  Call ``start()`` on the result; ``stopListening()``
    ends it.  With port 0 the chosen port is in ``thread.port`` once
    ``thread.ready`` is set.
    """
    from socketserver import StreamRequestHandler, ThreadingTCPServer

    class ConfigStreamHandler(StreamRequestHandler):
        """Reads one configuration from the connection and applies it."""

        def handle(self):
            try:
                conn = self.connection
                header = conn.recv(4)
                if len(header) == 4:
                    size = struct.unpack(">L", header)[0]
                    data = _recv_exactly(conn, size)
                    if self.server.verify is not None:
                        data = self.server.verify(data)
                    if data is not None:
                        _apply_received(data)
                    if self.server.ready:
                        self.server.ready.set()
            except OSError as e:
                if e.errno != RESET_ERROR:
                    raise

    class ConfigSocketReceiver(ThreadingTCPServer):
        """TCP server polling an abort flag between requests."""

        allow_reuse_address = True

        def __init__(self, host='localhost', port=DEFAULT_LOGGING_CONFIG_PORT,
                     handler=None, ready=None, verify=None):
            ThreadingTCPServer.__init__(self, (host, port), handler)
            femtologging._acquireLock()
            self.abort = 0
            femtologging._releaseLock()
            self.timeout = 1
            self.ready = ready
            self.verify = verify

        def serve_until_stopped(self):
            import select
            while True:
                readable, _, _ = select.select([self.socket.fileno()], [], [],
                                               self.timeout)
                if readable:
                    self.handle_request()
                femtologging._acquireLock()
                stop = self.abort
                femtologging._releaseLock()
                if stop:
                    break
            self.server_close()

    class Server(threading.Thread):
        """Thread owning the config server."""

        def __init__(self, rcvr, hdlr, port, verify):
            super().__init__()
            self.rcvr = rcvr
            self.hdlr = hdlr
            self.port = port
            self.verify = verify
            self.ready = threading.Event()

        def run(self):
            global _listener
            server = self.rcvr(port=self.port, handler=self.hdlr,
                               ready=self.ready, verify=self.verify)
            if self.port == 0:
                self.port = server.server_address[1]
            self.ready.set()
            femtologging._acquireLock()
            _listener = server
            femtologging._releaseLock()
            server.serve_until_stopped()

    return Server(ConfigSocketReceiver, ConfigStreamHandler, port, verify)


def stopListening():
    """Stop the server started by ``listen()`` (it exits within a second)."""
    global _listener
    femtologging._acquireLock()
    try:
        if _listener:
            _listener.abort = 1
            _listener = None
    finally:
        femtologging._releaseLock()
