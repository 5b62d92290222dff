"""``Filter`` and ``Filterer``: record filtering by logger name or by callables."""

from . import _compat
from ._femtologging import LogRecord


class Filter:
    """Pass records from the logger called ``name`` and its descendants (all when empty)."""

    def __init__(self, name=''):
        self.name = name
        self.nlen = len(name)

    def filter(self, record):
        """Return true when ``record`` comes from the filter's subtree."""
        if self.nlen == 0 or self.name == record.name:
            return True
        rname = record.name
        return rname.startswith(self.name) and rname[self.nlen:self.nlen + 1] == "."


class Filterer:
    """Base for objects holding a list of filters (objects with ``filter`` or callables)."""

    def __init__(self):
        self.filters = []

    def addFilter(self, filter):
        """Add ``filter`` unless it is already present."""
        if filter not in self.filters:
            self.filters.append(filter)

    def removeFilter(self, filter):
        """Remove ``filter`` if present."""
        if filter in self.filters:
            self.filters.remove(filter)

    def filter(self, record):
        """Run every filter (an object with ``filter`` or a plain callable); a false result
        drops the record.

        Before 3.12 the result is True or False. From 3.12 a filter may return a replacement
        record, used from then on, and the record that passed is returned (False if dropped).
        """
        for f in self.filters:
            check = getattr(f, 'filter', None)
            result = check(record) if check is not None else f(record)
            if not result:
                return False
            if _compat.PY312 and isinstance(result, LogRecord):
                record = result
        return record if _compat.PY312 else True
