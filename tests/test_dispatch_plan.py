"""The engine caches, per logger, which native handlers a record reaches. Every change that
stdlib would see on the next call must be seen: these tests change the hierarchy between two
calls and check where the second record goes."""

import io

import femtologging as fl


def _file_logger(tmp_path, name, level=fl.DEBUG):
    path = tmp_path / (name + ".log")
    h = fl.FileHandler(path, encoding="utf-8")
    h.setFormatter(fl.Formatter("%(name)s %(message)s"))
    lg = fl.getLogger("plan." + name)
    lg.propagate = False
    lg.setLevel(level)
    lg.addHandler(h)
    return lg, h, path


def _read(h, path):
    h.flush()
    return path.read_text(encoding="utf-8").splitlines()


def test_handler_added_after_a_call_receives_the_next_record(tmp_path):
    lg, h, path = _file_logger(tmp_path, "added")
    lg.info("one")
    h2 = fl.FileHandler(tmp_path / "second.log", encoding="utf-8")
    lg.addHandler(h2)
    lg.info("two")
    h2.close()
    assert _read(h, path) == ["plan.added one", "plan.added two"]
    assert (tmp_path / "second.log").read_text().splitlines() == ["two"]
    h.close()


def test_handler_removed_or_list_replaced_stops_receiving(tmp_path):
    lg, h, path = _file_logger(tmp_path, "removed")
    lg.info("one")
    lg.removeHandler(h)
    lg.info("lost")
    lg.handlers = [h]
    lg.info("two")
    lg.handlers = []
    lg.info("lost again")
    assert _read(h, path) == ["plan.removed one", "plan.removed two"]
    h.close()


def test_item_replaced_in_place_is_seen(tmp_path):
    lg, h, path = _file_logger(tmp_path, "swapped")
    lg.info("one")
    stream = io.StringIO()
    lg.handlers[0] = fl.StreamHandler(stream)
    lg.info("two")
    assert stream.getvalue() == "two\n"
    assert _read(h, path) == ["plan.swapped one"]
    h.close()


def test_propagate_parent_and_levels_changes_are_seen(tmp_path):
    lg, h, path = _file_logger(tmp_path, "prop")
    parent_stream = io.StringIO()
    parent = fl.getLogger("plan")
    ph = fl.StreamHandler(parent_stream)
    parent.addHandler(ph)
    try:
        lg.info("one")
        lg.propagate = True
        lg.info("two")
        h.setLevel(fl.ERROR)
        lg.info("three")
        h.setFormatter(fl.Formatter("[%(message)s]"))
        lg.error("four")
        lg.propagate = False
        lg.error("five")
    finally:
        parent.removeHandler(ph)
    assert _read(h, path) == ["plan.prop one", "plan.prop two", "[four]", "[five]"]
    assert parent_stream.getvalue().splitlines() == ["two", "three", "four"]
    h.close()


def test_filter_added_after_a_call_is_applied(tmp_path):
    lg, h, path = _file_logger(tmp_path, "filtered")
    lg.info("keep 1")
    h.addFilter(lambda r: "drop" not in r.getMessage())
    lg.info("drop me")
    lg.info("keep 2")
    assert _read(h, path) == ["plan.filtered keep 1", "plan.filtered keep 2"]
    h.close()


def test_one_capture_serves_handlers_with_different_layouts(tmp_path):
    # A logger filter forces the record path, where native handlers share one capture of the
    # record: a second handler needing more fields than the first must still get them.
    lg = fl.getLogger("plan.layouts")
    lg.propagate = False
    lg.setLevel(fl.DEBUG)
    lg.addFilter(lambda r: True)
    paths = [tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"]
    formats = ["%(message)s", "%(funcName)s:%(threadName)s %(message)s", "%(module)s %(message)s"]
    handlers = []
    for path, f in zip(paths, formats):
        h = fl.FileHandler(path, encoding="utf-8")
        h.setFormatter(fl.Formatter(f))
        lg.addHandler(h)
        handlers.append(h)

    def emitting_function():
        lg.info("hello %s", "there")

    emitting_function()
    for h in handlers:
        h.close()
    assert paths[0].read_text() == "hello there\n"
    assert paths[1].read_text() == "emitting_function:MainThread hello there\n"
    assert paths[2].read_text() == "test_dispatch_plan hello there\n"
