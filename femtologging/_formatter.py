"""Formatters: ``Formatter`` (native core), the three format styles and ``BufferingFormatter``.

``Formatter`` subclasses the Rust ``FormatterCore``, which parses the format string once and
renders records natively. The style classes below hold the format string, validate it and
provide the pure-Python formatting used when a style is subclassed or a format cannot be
rendered natively. Behaviour follows CPython 3.11's ``logging`` module.
"""

import re as _re
import string as _string
import time as _time

from ._femtologging import FormatterCore, _register_formatter_types
from . import _watch

__all__ = [
    "BASIC_FORMAT",
    "BufferingFormatter",
    "Formatter",
    "PercentStyle",
    "StrFormatStyle",
    "StringTemplateStyle",
]

#: The format ``basicConfig()`` uses when none is given.
BASIC_FORMAT = "%(levelname)s:%(name)s:%(message)s"

# A %-style field with a mapping key: flags, width, precision and conversion letter.
_PERCENT_FIELD = _re.compile(
    r"%\((?:\w+)\)[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxefgcrsa%]",
    _re.IGNORECASE,
)
# A {}-style field name: a key or index, then any number of .attr / [item] accessors.
_BRACE_FIELD = _re.compile(r"^(?:\w+|\d+)(?:\[[^\]]+\]|\.\w+)*$")
# A {}-style format spec, allowing nested {name} replacement fields for width/precision.
_BRACE_SPEC = _re.compile(
    r"^(?:.?[<>=^])?[-+ ]?#?0?(?:\{\w+\}|\d+)?[_,]?(?:\.(?:\{\w+\}|\d+))?[bcdefgnosx%]?$",
    _re.IGNORECASE,
)
_PARSER = _string.Formatter()


def _merged(defaults, record):
    """The mapping a style formats: ``defaults`` overlaid with the record's attributes."""
    if defaults:
        return defaults | record.__dict__
    return record.__dict__


class PercentStyle(object, metaclass=_watch.ClassWatch):
    """``%(name)s``-style formatting with the ``%`` operator."""

    default_format = "%(message)s"
    asctime_format = "%(asctime)s"
    asctime_search = "%(asctime)"
    validation_pattern = _PERCENT_FIELD

    def __init__(self, fmt, *, defaults=None):
        """Keep ``fmt`` (or the style's default) and the ``defaults`` mapping."""
        self._fmt = fmt or self.default_format
        self._defaults = defaults

    def usesTime(self):
        """Whether the format refers to ``asctime``."""
        return self.asctime_search in self._fmt

    def validate(self):
        """Raise ``ValueError`` unless the format contains at least one ``%(name)`` field."""
        if self.validation_pattern.search(self._fmt) is None:
            raise ValueError(
                "Invalid format '%s' for '%s' style" % (self._fmt, self.default_format[0])
            )

    def _format(self, record):
        return self._fmt % _merged(self._defaults, record)

    def format(self, record):
        """Format ``record``; a missing field becomes ``ValueError``."""
        try:
            return self._format(record)
        except KeyError as e:
            raise ValueError("Formatting field not found in record: %s" % e)


class StrFormatStyle(PercentStyle):
    """``{name}``-style formatting with :meth:`str.format`."""

    default_format = "{message}"
    asctime_format = "{asctime}"
    asctime_search = "{asctime"
    fmt_spec = _BRACE_SPEC
    field_spec = _BRACE_FIELD

    def _format(self, record):
        return self._fmt.format(**_merged(self._defaults, record))

    def validate(self):
        """Raise ``ValueError`` for malformed fields, conversions or specs, or no fields."""
        names = []
        try:
            for _text, name, spec, conversion in _PARSER.parse(self._fmt):
                if name:
                    if self.field_spec.match(name) is None:
                        raise ValueError("invalid field name/expression: %r" % name)
                    names.append(name)
                if conversion and conversion not in "rsa":
                    raise ValueError("invalid conversion: %r" % conversion)
                if spec and self.fmt_spec.match(spec) is None:
                    raise ValueError("bad specifier: %r" % spec)
        except ValueError as e:
            raise ValueError("invalid format: %s" % e)
        if not names:
            raise ValueError("invalid format: no fields")


class StringTemplateStyle(PercentStyle):
    """``$name``-style formatting with :class:`string.Template`."""

    default_format = "${message}"
    asctime_format = "${asctime}"
    asctime_search = "${asctime}"

    def __init__(self, *args, **kwargs):
        """As :class:`PercentStyle`, also compiling the template."""
        super().__init__(*args, **kwargs)
        self._tpl = _string.Template(self._fmt)

    def usesTime(self):
        """Whether the template refers to ``$asctime`` or ``${asctime}``."""
        return "$asctime" in self._fmt or self.asctime_search in self._fmt

    def validate(self):
        """Raise ``ValueError`` for a bare ``$`` or a template without placeholders."""
        found = False
        for match in _string.Template.pattern.finditer(self._fmt):
            groups = match.groupdict()
            if groups["named"] or groups["braced"]:
                found = True
            elif match.group(0) == "$":
                raise ValueError("invalid format: bare '$' not allowed")
        if not found:
            raise ValueError("invalid format: no fields")

    def _format(self, record):
        return self._tpl.substitute(**_merged(self._defaults, record))


_STYLES = {
    "%": (PercentStyle, BASIC_FORMAT),
    "{": (StrFormatStyle, "{levelname}:{name}:{message}"),
    "$": (StringTemplateStyle, "${levelname}:${name}:${message}"),
}


class Formatter(FormatterCore, metaclass=_watch.ClassWatch):
    """Turn a ``LogRecord`` into text, natively.

    ``fmt`` uses ``style`` ``'%'`` (default), ``'{'`` or ``'$'``; ``datefmt`` is a
    ``time.strftime`` format for ``asctime``; ``validate`` checks ``fmt`` against the style;
    ``defaults`` supplies values for fields a record lacks. Subclasses may override
    ``formatTime``, ``formatException``, ``formatStack``, ``usesTime``, ``formatMessage`` or
    ``format``, and set ``converter``, ``default_time_format`` and ``default_msec_format``.
    """

    converter = _time.localtime
    default_time_format = "%Y-%m-%d %H:%M:%S"
    default_msec_format = "%s,%03d"

    def __init__(self, fmt=None, datefmt=None, style="%", validate=True, *, defaults=None):
        """Create the style object for ``fmt`` and optionally validate it."""
        if style not in _STYLES:
            raise ValueError("Style must be one of: %s" % ",".join(_STYLES.keys()))
        style_class = _STYLES[style][0]
        self._style = style_class(fmt, defaults=defaults)
        if validate:
            self._style.validate()
        self.datefmt = datefmt
        self._fmt = self._style._fmt


_defaultFormatter = Formatter()


class BufferingFormatter(object):
    """Format a batch of records: header, each record with ``linefmt``, footer."""

    def __init__(self, linefmt=None):
        """Use ``linefmt`` for each record, or the module's default formatter."""
        self.linefmt = linefmt if linefmt else _defaultFormatter

    def formatHeader(self, records):
        """Text placed before the records; empty by default."""
        return ""

    def formatFooter(self, records):
        """Text placed after the records; empty by default."""
        return ""

    def format(self, records):
        """The header, every formatted record and the footer, or ``''`` for no records."""
        if len(records) == 0:
            return ""
        text = self.formatHeader(records)
        for record in records:
            text = text + self.linefmt.format(record)
        return text + self.formatFooter(records)


# These are public names of the ``femtologging`` package (which re-exports them), as they are
# of ``logging`` in CPython; ``test_logging``'s ``__all__`` check looks at ``__module__``.
for _cls in (Formatter, BufferingFormatter, PercentStyle, StrFormatStyle, StringTemplateStyle):
    _cls.__module__ = "femtologging"
del _cls

_watch.watch_instances(Formatter, PercentStyle)
_register_formatter_types(Formatter, PercentStyle, StrFormatStyle, StringTemplateStyle)
