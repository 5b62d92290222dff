"""``basicConfig``: one-call set-up of the root logger."""

import io

import femtologging as _pkg


def basicConfig(**kwargs):
    """Configure the root logger once (or again with ``force=True``).

    Keywords as stdlib: filename, filemode, format, datefmt, style, level,
    stream, handlers, force, encoding, errors.
    """
    with _pkg._lock:
        root = _pkg.root
        replace = kwargs.pop("force", False)
        encoding = kwargs.pop("encoding", None)
        errors = kwargs.pop("errors", "backslashreplace")
        if replace:
            _detach_and_close(root)
        if root.handlers:
            # Already configured: nothing happens and the other keywords go unchecked.
            return
        given = kwargs.pop("handlers", None)
        _check_destinations(given is not None, kwargs)
        if given is None:
            path = kwargs.pop("filename", None)
            filemode = kwargs.pop("filemode", "a")
            if not path:
                given = [_pkg.StreamHandler(kwargs.pop("stream", None))]
            elif "b" in filemode:
                given = [_pkg.FileHandler(path, filemode, encoding=encoding, errors=None)]
            else:
                # Here, not in a helper: an EncodingWarning names basicConfig's caller.
                text_encoding = io.text_encoding(encoding)
                given = [_pkg.FileHandler(path, filemode, encoding=text_encoding, errors=errors)]
        shared = _formatter_from(kwargs)
        for handler in given:
            if handler.formatter is None:
                handler.setFormatter(shared)
            root.addHandler(handler)
        if kwargs.get("level") is not None:
            root.setLevel(kwargs["level"])
        kwargs.pop("level", None)
        if kwargs:
            raise ValueError('Unrecognised argument(s): %s' % ', '.join(kwargs))


def _detach_and_close(logger):
    """Remove every handler of ``logger`` and close it (``force=True``)."""
    for handler in tuple(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def _check_destinations(has_handlers, kwargs):
    """``stream``, ``filename`` and ``handlers`` are mutually exclusive (stdlib's messages)."""
    named = [key for key in ("stream", "filename") if key in kwargs]
    if has_handlers and named:
        raise ValueError("'stream' or 'filename' should not be "
                         "specified together with 'handlers'")
    if len(named) == 2:
        raise ValueError("'stream' and 'filename' should not be "
                         "specified together")


def _formatter_from(kwargs):
    """The Formatter built from the ``format``, ``datefmt`` and ``style`` keywords."""
    datefmt = kwargs.pop("datefmt", None)
    style = kwargs.pop("style", "%")
    if style not in _pkg._STYLES:
        raise ValueError('Style must be one of: %s' % ','.join(_pkg._STYLES.keys()))
    default_format = _pkg._STYLES[style][1]
    return _pkg.Formatter(kwargs.pop("format", default_format), datefmt, style)
