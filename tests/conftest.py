"""End-to-end tests drive Odoo servers from outside: no registry in this process.

pytest-odoo (installed for the addons' fast test loop) loads an Odoo registry in
autouse session fixtures; these empty fixtures of the same names switch that off
for this folder.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

# The local Twilio server ships with the SMS addon (whose tests use it too); the
# tests here import that one file as ``twilio_fake``.
TWILIO_FAKE = Path(__file__).resolve().parents[1] / "appointment_notify_sms/tests/twilio_fake.py"
_spec = importlib.util.spec_from_file_location("twilio_fake", TWILIO_FAKE)
sys.modules["twilio_fake"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sys.modules["twilio_fake"])


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """No Odoo registry: the servers under test run in their own processes."""


@pytest.fixture(scope="session", autouse=True)
def load_http():
    """No in-process HTTP server either."""
