import threading
import uuid

import odoo
from odoo import SUPERUSER_ID, api
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, tagged

from .common import FakeFlow

PHONES = ("+31600000101", "+31600000102", "+31600000103")


@tagged("post_install", "-at_install", "appointment_notify_whatsapp_assistant")
class TestRunnersRace(TransactionCase):
    """Two runners in two real transactions: each turn runs once."""

    def real_env(self, cr, context):
        """An environment on a real cursor of its own.

        Given the registry: ``Registry(dbname)`` waits for the lock the test run
        holds, which would make the runners wait for the end of the test.
        """
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, context)

    def setup_sessions(self, company_id, partner_id):
        """Three conversations with two unread messages each, committed."""
        self.cleanup(self.env.cr.dbname)  # what an interrupted run may have left
        # Real, separate transactions: the rows must be visible to other connections.
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            env = self.real_env(cr, {})
            sessions = env["appointment.notify.assistant.session"].create(
                [{"company_id": company_id, "phone": p, "partner_id": partner_id} for p in PHONES]
            )
            env["appointment.notify.whatsapp.inbound"].create(
                [
                    {
                        "message_sid": "SM" + uuid.uuid4().hex,
                        "company_id": company_id,
                        "from_number": session.phone,
                        "body": body,
                        "kind": "assistant",
                        "session_id": session.id,
                    }
                    for session in sessions
                    for body in ("Yarın", "14:00")
                ]
            )
            session_ids = sessions.ids
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
        return session_ids

    def test_two_runners_each_turn_once(self):
        db = self.env.cr.dbname
        company_id = self.env.ref("base.main_company").id
        partner_id = self.env.ref("base.partner_admin").id
        self.addCleanup(self.cleanup, db)
        session_ids = self.setup_sessions(company_id, partner_id)
        flow = FakeFlow(delay=0.3)  # a slow turn: the other runner must skip it
        turns = {}
        errors = []
        barrier = threading.Barrier(2)

        def runner(name):
            try:
                with odoo.sql_db.db_connect(db).cursor() as cr:
                    env = self.real_env(cr, {"assistant_commit": True, "assistant_debounce": 0})
                    barrier.wait(timeout=10)
                    turns[name] = env["appointment.notify.assistant.session"]._cron_run()
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
                errors.append(exc)

        with flow.patched():
            threads = [threading.Thread(target=runner, args=(n,)) for n in "ab"]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertFalse(errors)
        self.assertEqual(
            sorted(flow.calls), sorted((sid, "Yarın\n14:00", None) for sid in session_ids)
        )
        self.assertEqual(turns["a"] + turns["b"], len(PHONES))
        self.assertTrue(turns["a"] and turns["b"], f"both runners worked: {turns}")
        with odoo.sql_db.db_connect(db).cursor() as cr:
            cr.execute(
                "SELECT COUNT(*) FROM appointment_notify_message WHERE assistant_session_id IN %s",
                [tuple(session_ids)],
            )
            self.assertEqual(cr.fetchone()[0], len(PHONES), "one reply per turn")
            cr.execute(
                "SELECT COUNT(*) FROM appointment_notify_whatsapp_inbound"
                " WHERE session_id IN %s AND processed IS NOT TRUE",
                [tuple(session_ids)],
            )
            self.assertEqual(cr.fetchone()[0], 0)

    def test_webhook_never_waits_for_a_turn(self):
        """While a runner holds a conversation, a new message for it is recorded at once
        (inbound row and session INSERT ... ON CONFLICT), and the same run answers it."""
        db = self.env.cr.dbname
        company_id = self.env.ref("base.main_company").id
        partner_id = self.env.ref("base.partner_admin").id
        self.addCleanup(self.cleanup, db)
        (session_id,) = self.setup_sessions(company_id, partner_id)[:1]
        with odoo.sql_db.db_connect(db).cursor() as cr:
            # only the first conversation takes part
            cr.execute(
                "UPDATE appointment_notify_whatsapp_inbound SET processed = TRUE"
                " WHERE session_id IN (SELECT id FROM appointment_notify_assistant_session"
                " WHERE phone IN %s AND id != %s)",
                [PHONES, session_id],
            )
            cr.commit()  # pylint: disable=invalid-commit
        flow = FakeFlow(delay=1.0)
        errors = []

        def runner():
            try:
                with odoo.sql_db.db_connect(db).cursor() as cr:
                    env = self.real_env(cr, {"assistant_commit": True, "assistant_debounce": 0})
                    env["appointment.notify.assistant.session"]._cron_run()
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
                errors.append(exc)

        with flow.patched():
            thread = threading.Thread(target=runner)
            thread.start()
            self.addCleanup(thread.join, 30)  # even when an assertion fails
            for _i in range(100):
                if flow.calls:
                    break
                threading.Event().wait(0.05)
            self.assertTrue(flow.calls, "the runner took the conversation")
            with odoo.sql_db.db_connect(db).cursor() as cr:
                # A webhook's statements: they must not wait for the runner's lock.
                cr.execute("SET LOCAL statement_timeout = 500")
                cr.execute(
                    """INSERT INTO appointment_notify_assistant_session
                              (company_id, phone, state, create_date, write_date)
                       VALUES (%s, %s, 'idle', NOW(), NOW())
                  ON CONFLICT (company_id, phone) DO NOTHING""",
                    [company_id, PHONES[0]],
                )
                cr.execute(
                    """INSERT INTO appointment_notify_whatsapp_inbound
                              (message_sid, company_id, body, kind, session_id, processed,
                               create_date, write_date)
                       VALUES (%s, %s, 'Saat 15 olsun', 'assistant', %s, FALSE,
                               NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')""",
                    ["SM" + uuid.uuid4().hex, company_id, session_id],
                )
                cr.commit()  # pylint: disable=invalid-commit
            self.assertEqual(len(flow.calls), 1, "recorded while the first turn still ran")
            thread.join(timeout=30)
        self.assertFalse(errors)
        self.assertEqual(
            flow.calls,
            [(session_id, "Yarın\n14:00", None), (session_id, "Saat 15 olsun", None)],
        )

    def cleanup(self, db):
        with odoo.sql_db.db_connect(db).cursor() as cr:
            cr.execute(
                "SELECT id FROM appointment_notify_assistant_session WHERE phone IN %s",
                [PHONES],
            )
            ids = tuple(row[0] for row in cr.fetchall()) or (0,)
            cr.execute(
                "DELETE FROM appointment_notify_message WHERE assistant_session_id IN %s", [ids]
            )
            cr.execute(
                "DELETE FROM appointment_notify_whatsapp_inbound WHERE session_id IN %s", [ids]
            )
            cr.execute("DELETE FROM appointment_notify_assistant_session WHERE id IN %s", [ids])
            cr.commit()  # pylint: disable=invalid-commit
