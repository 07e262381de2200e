"""Fixtures of the end-to-end tests; a test module loads them with
``pytest_plugins = ["e2e_fixtures"]``.

- ``sink``: an SMTP sink for the module.
- ``e2e``: the module's database (cloned from the installed base), one Odoo server
  started on it and the database prepared to send for real through ``sink``.
- ``rpc``: an XML-RPC client on the module's first server, with all rules archived and
  the sink emptied: each test starts from a clean slate without a reinstall.
"""

import pytest
from e2e_support import E2eEnv, SmtpSink, archive_rules, prepare_db


@pytest.fixture(scope="module")
def sink():
    smtp = SmtpSink().start()
    yield smtp
    smtp.stop()


@pytest.fixture(scope="module")
def e2e(request, sink):
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_e2e_")
    env = E2eEnv(label, sink)
    try:
        env.create_db()
        server = env.start_server()
        prepare_db(server.rpc(), sink)
        yield env
    finally:
        env.close()


@pytest.fixture
def rpc(e2e):
    client = e2e.servers[0].rpc()
    archive_rules(client)
    e2e.sink.clear()
    return client


@pytest.fixture(scope="module")
def twilio():
    """A FakeTwilio for the module (the account ``prepare_sms`` configures)."""
    from e2e_support import SMS_ACCOUNT_SID, SMS_AUTH_TOKEN
    from twilio_fake import FakeTwilio

    fake = FakeTwilio(account_sid=SMS_ACCOUNT_SID, auth_token=SMS_AUTH_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def e2e_sms(request, sink, twilio):
    """Like ``e2e``, on a base with appointment_notify_sms, sending SMS through ``twilio``.

    A module overrides ``e2e`` with it (so ``rpc`` uses it)::

        @pytest.fixture(scope="module")
        def e2e(e2e_sms):
            return e2e_sms
    """
    from e2e_support import clone_db, prepare_sms, sms_base_db

    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_e2e_")
    env = E2eEnv(label, sink)
    try:
        clone_db(sms_base_db(), env.db)
        server = env.start_server()
        client = server.rpc()
        prepare_db(client, sink)
        prepare_sms(client, twilio)
        yield env
    finally:
        env.close()
