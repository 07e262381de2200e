import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

import odoo
from odoo import fields
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.appointment_notify.models.appointment_notify_message import NotifySendError

from .common import NOW, NotifyCase


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify")
class TestDispatcher(NotifyCase):
    def test_sends_once_in_customer_language_and_timezone(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.customer.lang = "nl_NL"
        self.make_rule("confirmed")
        event = self.make_event(
            start=datetime(2026, 3, 4, 9, 0), notify_customer_note="Bring last visit's list"
        )
        msg = self.messages(event)
        self.assertEqual(self.dispatch(), 1)
        self.assertEqual(msg.state, "sent")
        self.assertEqual(msg.destination, "ayla@example.com")
        self.assertEqual(msg.attempts, 1)
        # 09:00 UTC is 10:00 in Amsterdam, the customer's time zone.
        self.assertIn("10:00", msg.body)
        self.assertIn("Bring last visit", msg.body)
        self.assertIn("+31 20 555 0100", msg.body, "how to reach the business")
        self.assertIn("woensdag 4 maart 2026", msg.body)
        self.assertNotIn("reply cancel", msg.body.lower())
        notification = self.env["mail.notification"].search(
            [("mail_message_id", "=", msg.mail_message_id.id)]
        )
        self.assertEqual(notification.res_partner_id, self.customer)
        self.assertEqual(msg.mail_message_id.model, "calendar.event", "logged in the chatter")
        self.assertFalse(
            msg.mail_message_id.notified_partner_ids - self.customer, "no follower spammed"
        )
        self.assertEqual(self.dispatch(), 0, "nothing is sent twice")

    def test_consent_checked_at_send_time(self):
        self.make_rule("confirmed")
        event = self.make_event()
        self.customer.notify_consent_email = False
        self.dispatch()
        msg = self.messages(event)
        self.assertEqual(msg.state, "skipped")
        self.assertIn("consent", msg.reason)
        # A company may relax consent for service e-mails, never for review requests.
        self.company.notify_email_consent_relaxed = True
        msg.action_retry()
        self.dispatch()
        self.assertEqual(msg.state, "sent")

    def test_non_service_needs_its_own_consent(self):
        self.make_rule("followup", offset_amount=0, offset_unit="hours")
        event = self.make_event(start=datetime(2026, 3, 2, 6, 0), hours=1)
        self.dispatch()
        msg = self.messages(event)
        self.assertEqual(msg.state, "skipped")
        self.assertIn("non-service", msg.reason)

    def test_missing_email_fails_with_reason_and_batch_goes_on(self):
        self.make_rule("confirmed")
        no_mail = self.env["res.partner"].create(
            {"name": "No Mail", "email": "not-an-address", "notify_consent_email": True}
        )
        event = self.make_event(partners=no_mail | self.customer)
        self.dispatch()
        failed = self.messages(event, partner_id=no_mail.id)
        self.assertEqual(failed.state, "failed")
        self.assertIn("not-an-address", failed.reason)
        self.assertEqual(self.messages(event, partner_id=self.customer.id).state, "sent")

    def test_template_error_fails_that_message_only(self):
        broken = self.env["mail.template"].create(
            {
                "name": "Broken",
                "model_id": self.env.ref("calendar.model_calendar_event").id,
                # Renders while Odoo checks it (no customer yet), fails for a real one.
                "subject": "{{ 1 // (0 if customer else 1) }}",
                "body_html": "<p>x</p>",
            }
        )
        self.make_rule("confirmed", template=None, mail_template_id=broken.id)
        good = self.make_rule("booked")
        event = self.make_event()
        self.dispatch()
        bad_msg = self.messages(event).filtered(lambda m: m.rule_id != good)
        self.assertEqual(bad_msg.state, "failed")
        self.assertIn("failed to render", bad_msg.reason)
        self.assertEqual(self.messages(event, rule_id=good.id).state, "sent")

    def test_too_late_at_dispatch(self):
        self.make_rule("reminder", offset_amount=1, offset_unit="hours")
        event = self.make_event(start=datetime(2026, 3, 2, 12, 0))
        msg = self.messages(event)
        with freeze_time("2026-03-02 12:05:00"):
            self.dispatch()
        self.assertEqual(msg.state, "skipped")
        self.assertIn("already started", msg.reason)

    def test_late_cron_skips_stale_reminder(self):
        self.make_rule("reminder", offset_amount=6, offset_unit="hours", late_grace_minutes=30)
        event = self.make_event(start=datetime(2026, 3, 2, 20, 0))
        with freeze_time("2026-03-02 15:00:00"):  # due at 14:00, one hour late
            self.dispatch()
        msg = self.messages(event)
        self.assertEqual(msg.state, "skipped")
        self.assertIn("Too late", msg.reason)

    def test_backoff_then_failure(self):
        self.env["ir.config_parameter"].set_param("appointment_notify.max_attempts", 3)
        self.env["ir.config_parameter"].set_param("appointment_notify.retry_delay_minutes", 5)
        self.make_rule("confirmed")
        msg = self.messages(self.make_event())
        now = fields.Datetime.now()
        delays = []
        for attempt in (1, 2, 3):
            msg.write({"attempts": attempt, "state": "sending"})
            msg._handle_send_error(NotifySendError("HTTP 503", retry=True), now)
            delays.append(msg.next_attempt_at - now if msg.state == "scheduled" else None)
        self.assertEqual(delays, [timedelta(minutes=5), timedelta(minutes=10), None])
        self.assertEqual(msg.state, "failed")
        self.assertEqual(msg.reason, "HTTP 503")

    def test_retry_never_past_deadline(self):
        self.make_rule("reminder", offset_amount=10, offset_unit="minutes")
        event = self.make_event(start=datetime(2026, 3, 2, 8, 4))
        msg = self.messages(event)
        msg.write({"attempts": 1, "state": "sending"})
        msg._handle_send_error(NotifySendError("timeout", retry=True), fields.Datetime.now())
        self.assertEqual(msg.state, "failed", "a retry would land after the appointment")

    def test_working_hours_over_weekend(self):
        calendar = self.env["resource.calendar"].create(
            {"name": "Salon hours", "tz": "Europe/Amsterdam", "company_id": self.company.id}
        )
        self.company.notify_resource_calendar_id = calendar
        rule = self.make_rule("confirmed", working_hours_only=True)
        reminder = self.make_rule(
            "reminder", offset_amount=24, offset_unit="hours", working_hours_only=True
        )
        with freeze_time("2026-03-07 10:00:00"):  # Saturday
            event = self.make_event(start=datetime(2026, 3, 10, 12, 0))
        # Monday 08:00 in Amsterdam is 07:00 UTC.
        self.assertEqual(
            self.messages(event, rule_id=rule.id).next_attempt_at, datetime(2026, 3, 9, 7, 0)
        )
        self.assertEqual(
            self.messages(event, rule_id=reminder.id).next_attempt_at, datetime(2026, 3, 9, 12, 0)
        )
        # Monday 07:30 appointment: the next working moment (08:00) is after it,
        # so the reminder keeps its own time rather than arriving late.
        with freeze_time("2026-03-06 12:00:00"):
            early = self.make_event(start=datetime(2026, 3, 9, 6, 30))
        self.assertEqual(
            self.messages(early, rule_id=reminder.id).next_attempt_at, datetime(2026, 3, 8, 6, 30)
        )

    def test_test_mode_sends_nothing(self):
        self.company.notify_test_mode = True
        self.make_rule("confirmed")
        event = self.make_event()
        self.dispatch()
        msg = self.messages(event)
        self.assertEqual(msg.state, "sent")
        self.assertTrue(msg.test_mode)
        self.assertFalse(msg.mail_message_id)
        self.assertIn("Test mode", event.message_ids[0].body)

    def test_email_failure_reported_back(self):
        self.make_rule("confirmed")
        msg = self.messages(self.make_event())
        self.dispatch()
        notification = self.env["mail.notification"].search(
            [("mail_message_id", "=", msg.mail_message_id.id)]
        )
        notification.write(
            {"notification_status": "bounce", "failure_reason": "550 mailbox unavailable"}
        )
        self.assertEqual(msg.state, "failed")
        self.assertIn("550 mailbox unavailable", msg.reason)

    def test_mail_queue_safeguard_then_success_ends_sent(self):
        """While sending, Odoo marks notifications failed as a safeguard: the final word wins."""
        self.make_rule("confirmed")
        msg = self.messages(self.make_event())
        self.dispatch()
        notification = self.env["mail.notification"].search(
            [("mail_message_id", "=", msg.mail_message_id.id)]
        )
        notification.write({"notification_status": "exception", "failure_type": "unknown"})
        self.assertEqual(msg.state, "failed")
        notification.write({"notification_status": "sent"})
        self.assertEqual(msg.state, "sent")
        self.assertFalse(msg.reason)

    def test_dispatcher_wakes_at_next_message(self):
        cron = self.env.ref("appointment_notify.ir_cron_dispatch")
        self.make_rule("reminder", offset_amount=1, offset_unit="hours")
        with self.capture_triggers(cron.id) as captured:
            self.make_event(start=datetime(2026, 3, 3, 9, 0))
        self.assertIn(datetime(2026, 3, 3, 8, 0), captured.records.mapped("call_at"))

    def capture_triggers(self, cron_id):
        from odoo.addons.base.tests.test_ir_cron import CronMixinCase

        return CronMixinCase.capture_triggers(self, cron_id)

    def test_send_a_test_wizard(self):
        rule = self.make_rule("reminder", offset_amount=1, offset_unit="hours")
        event = self.make_event()
        wizard = self.env["appointment.notify.rule.test"].create(
            {
                "rule_id": rule.id,
                "record_ref": f"calendar.event,{event.id}",
                "destination": "owner@salon.example.com",
            }
        )
        action = wizard.action_send()
        msg = self.Message.browse(action["res_id"])
        self.assertTrue(msg.is_test)
        self.dispatch()
        self.assertEqual(msg.state, "sent")
        mail = self.env["mail.mail"].search([("email_to", "=", "owner@salon.example.com")])
        self.assertIn("Reminder", mail.subject)

    # ------------------------------------------------------------------
    # limits: time budget, attempts, one message's database error
    # ------------------------------------------------------------------

    def test_stops_between_pool_fulls_when_cron_time_is_up(self):
        """The cron's time is up: one pool-full goes, the rest is handed back, due again."""
        self.env["ir.config_parameter"].set_param("appointment_notify.parallel_sends", 2)
        self.make_rule("confirmed")
        customers = self.env["res.partner"].create(
            [
                {"name": f"Budget {i}", "email": f"b{i}@example.com", "notify_consent_email": True}
                for i in range(5)
            ]
        )
        event = self.make_event(partners=customers)
        messages = self.messages(event)
        self.assertEqual(len(messages), 5)
        cron = self.env.ref("appointment_notify.ir_cron_dispatch")
        # What Odoo's cron worker puts in the context: its run ends at this moment.
        out_of_time = self.Message.with_context(cron_end_time=time.monotonic() - 1)
        with self.capture_triggers(cron.id) as captured:
            self.assertEqual(out_of_time._cron_dispatch(), 2)
        sent = messages.filtered(lambda m: m.state == "sent")
        self.assertEqual(len(sent), 2, "one pool-full went")
        rest = messages - sent
        self.assertEqual(rest.mapped("state"), ["scheduled"] * 3)
        self.assertEqual(rest.mapped("attempts"), [0, 0, 0], "not tried: no attempt counted")
        self.assertFalse(any(rest.mapped("lease_until")))
        self.assertTrue(
            any(call_at <= fields.Datetime.now() for call_at in captured.records.mapped("call_at")),
            "the cron runs again at once for the rest",
        )
        self.assertEqual(self.dispatch(), 3)
        self.assertEqual(set(messages.mapped("state")), {"sent"})

    def test_gives_up_when_attempts_reach_max(self):
        """A message whose workers died (leases expired) is not claimed forever."""
        self.env["ir.config_parameter"].set_param("appointment_notify.max_attempts", 3)
        self.make_rule("confirmed")
        msg = self.messages(self.make_event())
        past = fields.Datetime.now() - timedelta(minutes=1)
        # Its third attempt crashed the worker: still 'sending', the lease ran out.
        msg.write({"state": "sending", "attempts": 3, "lease_until": past})
        self.dispatch()
        self.assertEqual(msg.state, "failed")
        self.assertEqual(msg.reason, "Gave up after 3 attempts.")
        self.assertEqual(msg.attempts, 3)
        self.assertFalse(msg.mail_message_id, "not sent a fourth time")
        self.assertEqual(self.dispatch(), 0)

    @mute_logger("odoo.sql_db")
    def test_database_error_in_one_message_spares_its_pool_full(self):
        """A template whose expression breaks the SQL transaction fails its message only."""
        broken = self.env["mail.template"].create(
            {
                "name": "Breaks the transaction",
                "model_id": self.env.ref("calendar.model_calendar_event").id,
                # Renders while Odoo checks it (no customer yet), fails for a real one.
                "subject": "{{ customer and object.env.cr.execute('SELECT 1/0') }}",
                "body_html": "<p>x</p>",
            }
        )
        self.make_rule("booked")
        self.make_rule("confirmed", template=None, mail_template_id=broken.id)
        event = self.make_event(partners=self.customer | self.customer2)
        messages = self.messages(event)
        self.assertEqual(len(messages), 4)
        self.dispatch()
        bad = messages.filtered(lambda m: m.rule_id.mail_template_id == broken)
        self.assertEqual(bad.mapped("state"), ["failed", "failed"])
        for message in bad:
            self.assertIn("division by zero", message.reason)
        good = messages - bad
        self.assertEqual(good.mapped("state"), ["sent", "sent"])
        self.assertTrue(all(good.mapped("mail_message_id")))

    # ------------------------------------------------------------------
    # the mail.notification hook: only our e-mails cost anything
    # ------------------------------------------------------------------

    @contextmanager
    def queries_on_messages(self):
        """The SQL queries run inside the block that touch our message table."""
        queries = []
        with contextmanager(self._patchExecute)(queries):
            yield (ours := [])
        ours.extend(q for q in queries if "appointment_notify_message" in q)

    def test_notifications_of_other_messages_cost_nothing(self):
        post = self.customer.message_post(body="Unrelated", message_type="comment")
        users = self.env["res.partner"].create(
            [{"name": f"Inbox {i}", "email": f"inbox{i}@example.com"} for i in range(5)]
        )
        Notification = self.env["mail.notification"].sudo()
        with self.queries_on_messages() as queries:
            Notification.create(
                [
                    {
                        "mail_message_id": post.id,
                        "res_partner_id": partner.id,
                        "notification_type": "inbox",
                        "notification_status": "sent",
                    }
                    for partner in users
                ]
            )
        self.assertEqual(queries, [], "inbox notifications never look for our messages")
        other = self.customer2.message_post(body="Other e-mail", message_type="comment")
        with self.queries_on_messages() as queries:
            emails = Notification.create(
                [
                    {
                        "mail_message_id": other.id,
                        "res_partner_id": partner.id,
                        "notification_type": "email",
                        "notification_status": "exception",
                        "failure_type": "mail_smtp",
                    }
                    for partner in users
                ]
            )
            emails.write({"notification_status": "sent"})
        self.assertLessEqual(len(queries), 2, "one query per batch, not per notification")

    def test_email_outcomes_copied_in_one_query(self):
        self.make_rule("confirmed")
        event = self.make_event(partners=self.customer | self.customer2)
        messages = self.messages(event)
        self.dispatch()
        notifications = self.env["mail.notification"].search(
            [("mail_message_id", "in", messages.mail_message_id.ids)]
        )
        self.assertEqual(notifications.res_partner_id, self.customer | self.customer2)
        with self.queries_on_messages() as queries:
            notifications.write(
                {"notification_status": "bounce", "failure_reason": "550 mailbox unavailable"}
            )
        self.assertEqual(messages.mapped("state"), ["failed", "failed"])
        self.assertEqual(messages.mapped("reason"), ["Bounced: 550 mailbox unavailable"] * 2)
        self.assertLessEqual(
            len([q for q in queries if q.lstrip().upper().startswith("SELECT")]), 1, queries
        )


@tagged("post_install", "-at_install", "appointment_notify")
class TestConcurrentDispatch(NotifyCase):
    """Two dispatchers on two real database connections never take the same message."""

    def test_two_cursors_take_disjoint_batches(self):
        db = self.env.cr.dbname
        partner_id = self.env.ref("base.partner_admin").id
        company_id = self.env.ref("base.main_company").id
        now = datetime(2026, 1, 1, 8, 0)
        with odoo.sql_db.db_connect(db).cursor() as setup:
            setup.execute(
                """
                INSERT INTO appointment_notify_message
                    (company_id, res_model, res_id, partner_id, channel, occurrence,
                     scheduled_at, next_attempt_at, state, attempts)
                SELECT %s, 'concurrency.test', n, %s, 'email', '', %s, %s, 'scheduled', 0
                  FROM generate_series(1, 40) n RETURNING id
                """,
                [company_id, partner_id, now, now],
            )
            ids = {row[0] for row in setup.fetchall()}
            # A real, separate cursor: the rows must be visible to other connections.
            setup.commit()  # pylint: disable=invalid-commit
        try:
            taken = {}
            barrier = threading.Barrier(2)

            def claim(name):
                # Plain connections: the registry is locked while tests run.
                with odoo.sql_db.db_connect(db).cursor() as cr:
                    cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    got = self.Message._claim_due(cr, 25, now + timedelta(minutes=1), 10)
                    barrier.wait(timeout=10)  # both hold their locks here
                    taken[name] = set(got) & ids
                    cr.commit()  # pylint: disable=invalid-commit

            threads = [threading.Thread(target=claim, args=(n,)) for n in ("a", "b")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            self.assertFalse(taken["a"] & taken["b"], "no message taken twice")
            self.assertEqual(taken["a"] | taken["b"], ids, "every due message taken")
        finally:
            with odoo.sql_db.db_connect(db).cursor() as cleanup:
                cleanup.execute(
                    "DELETE FROM appointment_notify_message WHERE res_model = 'concurrency.test'"
                )
                cleanup.commit()  # pylint: disable=invalid-commit
