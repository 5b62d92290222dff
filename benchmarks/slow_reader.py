"""Slow consumer of the memory scenario's FIFO (a separate process).

Usage: ``slow_reader.py FIFO CHUNK PAUSE``. Reads at most CHUNK bytes, sleeps
PAUSE seconds, repeats until EOF; prints ``{"lines", "first", "last"}`` as JSON.
"""

import json
import os
import sys
import time


def main() -> None:
    """Drain the FIFO slowly and report what was read."""
    path, chunk, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    fd = os.open(path, os.O_RDONLY)
    lines = 0
    head = b""
    tail = b""
    while True:
        data = os.read(fd, chunk)
        if not data:
            break
        lines += data.count(b"\n")
        if len(head) < 4096:
            head += data[:4096]
        tail = (tail + data)[-4096:]
        time.sleep(pause)
    os.close(fd)
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    last_lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
    last = last_lines[-1].decode("utf-8", "replace") if tail else ""
    json.dump({"lines": lines, "first": first, "last": last}, sys.stdout)


if __name__ == "__main__":
    main()
