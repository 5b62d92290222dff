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
        force = kwargs.pop('force', False)
        encoding = kwargs.pop('encoding', None)
        errors = kwargs.pop('errors', 'backslashreplace')
        if force:
            for h in root.handlers[:]:
                root.removeHandler(h)
                h.close()
        if root.handlers:
            return
        handlers = kwargs.pop("handlers", None)
        if handlers is None:
            if "stream" in kwargs and "filename" in kwargs:
                raise ValueError("'stream' and 'filename' should not be "
                                 "specified together")
            filename = kwargs.pop("filename", None)
            mode = kwargs.pop("filemode", 'a')
            if filename:
                if 'b' in mode:
                    errors = None
                else:
                    encoding = io.text_encoding(encoding)
                handlers = [_pkg.FileHandler(filename, mode, encoding=encoding, errors=errors)]
            else:
                handlers = [_pkg.StreamHandler(kwargs.pop("stream", None))]
        elif "stream" in kwargs or "filename" in kwargs:
            raise ValueError("'stream' or 'filename' should not be "
                             "specified together with 'handlers'")
        datefmt = kwargs.pop("datefmt", None)
        style = kwargs.pop("style", '%')
        if style not in _pkg._STYLES:
            raise ValueError('Style must be one of: %s' % ','.join(_pkg._STYLES.keys()))
        fs = kwargs.pop("format", _pkg._STYLES[style][1])
        fmt = _pkg.Formatter(fs, datefmt, style)
        for h in handlers:
            if h.formatter is None:
                h.setFormatter(fmt)
            root.addHandler(h)
        level = kwargs.pop("level", None)
        if level is not None:
            root.setLevel(level)
        if kwargs:
            raise ValueError('Unrecognised argument(s): %s' % ', '.join(kwargs.keys()))
