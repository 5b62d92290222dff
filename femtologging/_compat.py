"""What differs between the CPython versions femtologging supports, in one place.

femtologging offers the API and behaviour of the running interpreter's own ``logging``:
a name or rule that stdlib added in 3.12 or 3.13 exists here only on that version or later.
The other modules consult the switches below instead of testing ``sys.version_info``.
"""

import sys

_V = sys.version_info[:2]

#: 3.12: ``LogRecord.taskName`` and ``logAsyncioTasks``; ``getHandlerByName``/``getHandlerNames``;
#: ``Logger.getChildren``; a filter may return a replacement record; ``dictConfig`` builds
#: ``QueueHandler``/``QueueListener`` pairs from ``handlers``/``queue``/``listener`` keys.
PY312 = _V >= (3, 12)

#: 3.13: record times from ``time.time_ns()`` (``_startTime`` in nanoseconds);
#: ``_prepareFork``/``_afterFork`` instead of ``_acquireLock``/``_releaseLock``;
#: ``LoggerAdapter(merge_extra=)``; the reworked size and timed rotation rules.
PY313 = _V >= (3, 13)

#: Size rotation: a record of ``maxBytes`` or more rolls a still-empty file over on 3.11/3.12;
#: 3.13 never rolls an empty file over (gh-116263). ``shouldRollover`` and the native writer
#: (``AsyncFile(roll_empty=)``) both follow this switch.
ROLLOVER_EMPTY_FILE = not PY313

del _V, sys
