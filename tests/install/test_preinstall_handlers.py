"""Handlers configured with the standard ``logging`` before install() are routed natively.

Exact stdlib ``StreamHandler``/``FileHandler`` and the rotating/watched file handlers become
femtologging's classes in place (same objects); uninstall() gives them their class back.
Subclasses, and instances that replace a method, stay stdlib objects and keep working.
"""

import io
import sys

import femtologging

_stdlib = sys.modules['logging']      # pytest imported it long before these tests
import logging.config as _stdlib_config  # noqa: E402
import logging.handlers as _stdlib_handlers  # noqa: E402

_native = femtologging._femtologging
StdRotating = _stdlib_handlers.RotatingFileHandler   # read before any install() redirects it


def _configure(tmp_path, stream):
    """A dictConfig of the kind applications apply at start-up, on library loggers."""
    _stdlib_config.dictConfig({
        'version': 1,
        'disable_existing_loggers': False,
        'formatters': {'plain': {'format': '%(message)s'},
                       'tagged': {'format': '%(levelname)s %(name)s %(message)s'}},
        'handlers': {
            'file': {'class': 'logging.FileHandler', 'filename': str(tmp_path / 'app.log'),
                     'mode': 'w', 'formatter': 'plain', 'encoding': 'utf-8'},
            'rotating': {'class': 'logging.handlers.RotatingFileHandler',
                         'filename': str(tmp_path / 'rot.log'), 'maxBytes': 35,
                         'backupCount': 5, 'formatter': 'plain', 'level': 'INFO'},
            'timed': {'class': 'logging.handlers.TimedRotatingFileHandler',
                      'filename': str(tmp_path / 'timed.log'), 'when': 'H',
                      'formatter': 'plain'},
            'watched': {'class': 'logging.handlers.WatchedFileHandler',
                        'filename': str(tmp_path / 'watched.log'), 'formatter': 'plain'},
            'stream': {'class': 'logging.StreamHandler', 'stream': stream,
                       'formatter': 'tagged'},
        },
        'loggers': {'lib.pre': {'handlers': ['file', 'rotating', 'timed', 'watched', 'stream'],
                                'level': 'DEBUG', 'propagate': False}},
    })
    return _stdlib.getLogger('lib.pre')


def _log(log, first, last):
    for n in range(first, last + 1):
        log.info('record %02d', n)


def test_configured_before_install_native_while_installed_stdlib_after(tmp_path):
    stream = io.StringIO()
    log = _configure(tmp_path, stream)
    handlers = list(log.handlers)
    file_h, rot_h, timed_h, watched_h, stream_h = handlers
    rollover_at = timed_h.rolloverAt
    std_classes = [type(h) for h in handlers]
    _log(log, 1, 2)
    femtologging.install()
    try:
        import logging
        import logging.handlers
        assert [type(h) for h in log.handlers] == [
            femtologging.FileHandler, femtologging.handlers.RotatingFileHandler,
            femtologging.handlers.TimedRotatingFileHandler,
            femtologging.handlers.WatchedFileHandler, femtologging.StreamHandler]
        assert all(a is b for a, b in zip(log.handlers, handlers))     # the same objects
        assert isinstance(file_h, logging.FileHandler)
        assert isinstance(rot_h, logging.FileHandler)
        assert isinstance(rot_h, logging.handlers.RotatingFileHandler)
        for h in (file_h, rot_h, timed_h, watched_h):
            assert isinstance(h.stream, _native.AsyncFile), h
        assert rot_h.level == logging.INFO and (rot_h.maxBytes, rot_h.backupCount) == (35, 5)
        assert rot_h.name == 'rotating' and logging._handlers['rotating'] is rot_h
        assert timed_h.rolloverAt == rollover_at and timed_h.interval == 3600
        assert type(stream_h.formatter) is femtologging.Formatter
        assert stream_h.stream is stream
        _log(log, 3, 5)
    finally:
        femtologging.uninstall()
    assert [type(h) for h in log.handlers] == std_classes
    assert all(a is b for a, b in zip(log.handlers, handlers))
    assert not any(isinstance(getattr(h, 'stream', None), _native.AsyncWriter) for h in handlers)
    assert timed_h.rolloverAt == rollover_at and 'rolloverAt' in vars(timed_h)
    assert type(stream_h.formatter) is _stdlib.Formatter
    assert 'rotating' not in femtologging._handlers
    _log(log, 6, 7)
    for h in handlers:
        h.close()
    log.handlers.clear()

    lines = ['record %02d\n' % n for n in range(1, 8)]
    assert (tmp_path / 'app.log').read_text() == ''.join(lines)
    assert (tmp_path / 'timed.log').read_text() == ''.join(lines)
    assert (tmp_path / 'watched.log').read_text() == ''.join(lines)
    assert stream.getvalue() == ''.join('INFO lib.pre ' + line for line in lines)
    # 10-byte lines, maxBytes 35: three lines a file, rotated once while installed.
    assert (tmp_path / 'rot.log.2').read_text() == ''.join(lines[0:3])
    assert (tmp_path / 'rot.log.1').read_text() == ''.join(lines[3:6])
    assert (tmp_path / 'rot.log').read_text() == lines[6]


def test_subclasses_and_customised_instances_stay_stdlib(tmp_path):
    class MyFile(_stdlib.FileHandler):
        pass

    sub = MyFile(tmp_path / 'sub.log')
    patched = StdRotating(tmp_path / 'patched.log', maxBytes=10 ** 6)
    asked = []
    patched.shouldRollover = lambda record: asked.append(record.getMessage()) or False
    log = _stdlib.getLogger('lib.pre.kept')
    log.propagate = False
    for h in (sub, patched):
        h.setFormatter(_stdlib.Formatter('%(message)s'))
        log.addHandler(h)
    log.warning('one')
    femtologging.install()
    try:
        assert type(sub) is MyFile and type(patched) is StdRotating
        log.warning('two')
    finally:
        femtologging.uninstall()
    log.warning('three')
    for h in (sub, patched):
        h.close()
    log.handlers.clear()
    assert asked == ['one', 'two', 'three']
    assert (tmp_path / 'sub.log').read_text() == 'one\ntwo\nthree\n'
    assert (tmp_path / 'patched.log').read_text() == 'one\ntwo\nthree\n'


def test_pre_install_handlers_are_known_to_shutdown_and_by_name(tmp_path):
    h = _stdlib.FileHandler(tmp_path / 'named.log')
    h.name = 'pre.named'
    femtologging.install()
    try:
        import logging
        assert logging._handlers['pre.named'] is h
        assert any(ref() is h for ref in logging._handlerList)
    finally:
        femtologging.uninstall()
    assert 'pre.named' not in femtologging._handlers
    assert not any(ref() is h for ref in femtologging._handlerList)
    h.close()


def test_a_namer_set_before_install_carries_over(tmp_path):
    h = StdRotating(tmp_path / 'named.log', maxBytes=15, backupCount=3)
    h.namer = namer = lambda name: name + '.bak'
    h.setFormatter(_stdlib.Formatter('%(message)s'))
    log = _stdlib.getLogger('lib.pre.namer')
    log.propagate = False
    log.addHandler(h)
    _log(log, 1, 1)
    femtologging.install()
    try:
        assert type(h) is femtologging.handlers.RotatingFileHandler and h.namer is namer
        _log(log, 2, 3)     # 10-byte lines, maxBytes 15: each rotates the one before (namer)
    finally:
        femtologging.uninstall()
    assert type(h) is StdRotating and h.namer is namer
    _log(log, 4, 4)         # rotates again, now by stdlib
    h.close()
    log.handlers.clear()
    for name, n in (('named.log.3.bak', 1), ('named.log.2.bak', 2), ('named.log.1.bak', 3),
                    ('named.log', 4)):
        assert (tmp_path / name).read_text() == 'record %02d\n' % n
