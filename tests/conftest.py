"""End-to-end tests drive Odoo servers from outside: no registry in this process.

pytest-odoo (installed for the addons' fast test loop) loads an Odoo registry in
autouse session fixtures; these empty fixtures of the same names switch that off
for this folder.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """No Odoo registry: the servers under test run in their own processes."""


@pytest.fixture(scope="session", autouse=True)
def load_http():
    """No in-process HTTP server either."""
