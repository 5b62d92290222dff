"""``Filter`` and ``Filterer``: record filtering by logger name or by callables."""

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
        """Run every filter; false drops the record.

        A filter may return a replacement record (as in Python 3.12); the last
        replacement is returned, otherwise ``True``.
        """
        replaced = None
        for f in self.filters:
            check = getattr(f, 'filter', None)
            result = check(record) if check is not None else f(record)
            if not result:
                return False
            if isinstance(result, LogRecord):
                record = replaced = result
        return True if replaced is None else replaced
