"""Fixtures for the install() tests: femtologging installed for one test, then uninstalled."""

import sys

import pytest

import femtologging


@pytest.fixture
def installed():
    """Install femtologging for the test; afterwards the standard modules must be back."""
    import logging
    import logging.config
    import logging.handlers

    before = {name: sys.modules[name] for name in ('logging', 'logging.handlers', 'logging.config')}
    assert before['logging'] is logging and logging is not femtologging
    femtologging.install()
    try:
        yield logging
    finally:
        femtologging.uninstall()
        after = {name: sys.modules[name] for name in before}
        assert after == before
        assert type(logging) is type(sys)
