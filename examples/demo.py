"""femtologging demo: the stdlib API, a console handler and a file written on a worker thread."""

import os
import tempfile

import femtologging as logging

path = os.path.join(tempfile.mkdtemp(prefix="femtologging-demo-"), "demo.log")

logging.basicConfig(
    level=logging.DEBUG,
    format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
)
file_handler = logging.FileHandler(path, mode="w", encoding="utf-8")
file_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(funcName)s:%(lineno)d %(message)s"))
log = logging.getLogger("demo.app")
log.addHandler(file_handler)


def handle_request(user, n):
    """Log like an application would."""
    log.info("request %d from %s", n, user)
    if n == 2:
        try:
            1 / 0
        except ZeroDivisionError:
            log.exception("request %d failed", n)


for i in range(3):
    handle_request("alice", i)
log.debug("debug records reach the console and the file")
logging.getLogger("demo.lib").warning("a library logger propagates to the root handler")

file_handler.flush()  # the file is written on a worker thread; flush() waits for it
print("\n--- %s ---" % path)
with open(path, encoding="utf-8") as f:
    print(f.read(), end="")
logging.shutdown()
