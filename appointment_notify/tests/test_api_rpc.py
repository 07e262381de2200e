from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

RECEPTIONIST_PASSWORD = "Receptionist-rpc-1"
NOTIFY_ADMIN_PASSWORD = "Notify-admin-rpc-1"


@tagged("post_install", "-at_install", "appointment_notify")
class TestApiRpc(HttpCase):
    """What an integrator's script calls, through Odoo's real XML-RPC and JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["appointment.notify.rule"].search([]).active = False
        cls.company = cls.env.company
        cls.company.notify_test_mode = False
        cls.customer = cls.env["res.partner"].create(
            {"name": "Ayla Customer", "email": "ayla@example.com", "notify_consent_email": True}
        )
        for trigger in ("confirmed", "rejected", "cancelled"):
            cls.env["appointment.notify.rule"].create(
                {
                    "name": f"RPC {trigger}",
                    "trigger": trigger,
                    "channel": "email",
                    "mail_template_id": cls.env.ref(
                        f"appointment_notify.mail_template_event_{trigger}"
                    ).id,
                    "company_id": cls.company.id,
                }
            )
        # Calendar rights only: no Notifications group.
        cls.receptionist = new_test_user(
            cls.env,
            login="receptionist_rpc",
            password=RECEPTIONIST_PASSWORD,
            groups="base.group_user",
        )
        cls.notify_admin = new_test_user(
            cls.env,
            login="notify_admin_rpc",
            password=NOTIFY_ADMIN_PASSWORD,
            groups="base.group_user,appointment_notify.group_notify_admin",
        )

    def make_event(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        return self.env["calendar.event"].create(
            {
                "name": "Haircut",
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [(6, 0, self.customer.ids)],
                "booking_state": "awaiting",
            }
        )

    def xmlrpc(self, user, password, model, method, *args):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, password, model, method, list(args)
        )

    def jsonrpc(self, user, password, model, method, *args):
        params = {
            "service": "object",
            "method": "execute_kw",
            "args": [self.env.cr.dbname, user.id, password, model, method, list(args)],
        }
        return self.make_jsonrpc_request("/jsonrpc", params)

    def planned(self, event, trigger):
        return self.env["appointment.notify.message"].search(
            [
                ("res_model", "=", "calendar.event"),
                ("res_id", "=", event.id),
                ("trigger", "=", trigger),
            ]
        )

    def test_receptionist_confirms_rejects_cancels(self):
        for call in (self.xmlrpc, self.jsonrpc):
            for method, state in (
                ("action_notify_confirm", "confirmed"),
                ("action_notify_reject", "rejected"),
                ("action_notify_cancel", "cancelled"),
            ):
                with self.subTest(call=call.__name__, method=method):
                    event = self.make_event()
                    result = call(
                        self.receptionist,
                        RECEPTIONIST_PASSWORD,
                        "calendar.event",
                        method,
                        [event.id],
                    )
                    self.assertIs(result, True)
                    event.invalidate_recordset()
                    self.assertEqual(event.booking_state, state)
                    self.assertEqual(len(self.planned(event, state)), 1)
            event = self.make_event()
            action = call(
                self.receptionist,
                RECEPTIONIST_PASSWORD,
                "calendar.event",
                "action_view_notify_messages",
                [event.id],
            )
            self.assertEqual(action["res_model"], "appointment.notify.message")

    def test_notification_administrator_buttons(self):
        """The message, rule and wizard buttons answer over XML-RPC too."""
        event = self.make_event()
        self.xmlrpc(
            self.notify_admin,
            NOTIFY_ADMIN_PASSWORD,
            "calendar.event",
            "action_notify_confirm",
            [event.id],
        )
        message = self.planned(event, "confirmed")
        rule = message.rule_id
        calls = (
            ("appointment.notify.message", "action_cancel", message.ids),
            ("appointment.notify.message", "action_retry", message.ids),
            ("appointment.notify.message", "action_open_record", message.ids),
            ("appointment.notify.rule", "action_view_messages", rule.ids),
            ("appointment.notify.rule", "action_send_test", rule.ids),
        )
        results = {
            method: self.xmlrpc(self.notify_admin, NOTIFY_ADMIN_PASSWORD, model, method, ids)
            for model, method, ids in calls
        }
        self.assertIs(results["action_cancel"], True)
        self.assertIs(results["action_retry"], True)
        self.assertEqual(results["action_open_record"]["res_id"], event.id)
        self.assertEqual(results["action_view_messages"]["domain"], [["rule_id", "in", rule.ids]])
        self.assertEqual(results["action_send_test"]["res_model"], "appointment.notify.rule.test")
        message.invalidate_recordset()
        self.assertEqual(message.state, "scheduled")
        wizard_id = self.xmlrpc(
            self.notify_admin,
            NOTIFY_ADMIN_PASSWORD,
            "appointment.notify.rule.copy",
            "create",
            {"rule_ids": [(6, 0, rule.ids)], "company_ids": [(6, 0, self.company.ids)]},
        )
        action = self.xmlrpc(
            self.notify_admin,
            NOTIFY_ADMIN_PASSWORD,
            "appointment.notify.rule.copy",
            "action_copy",
            [wizard_id],
        )
        copies = self.env["appointment.notify.rule"].search(action["domain"])
        self.assertEqual(copies.mail_template_id, rule.mail_template_id)
        wizard_id = self.xmlrpc(
            self.notify_admin,
            NOTIFY_ADMIN_PASSWORD,
            "appointment.notify.rule.test",
            "create",
            {
                "rule_id": rule.id,
                "record_ref": f"calendar.event,{event.id}",
                "destination": "test@salon.example.com",
            },
        )
        action = self.xmlrpc(
            self.notify_admin,
            NOTIFY_ADMIN_PASSWORD,
            "appointment.notify.rule.test",
            "action_send",
            [wizard_id],
        )
        test_message = self.env["appointment.notify.message"].browse(action["res_id"])
        self.assertTrue(test_message.is_test)
        self.assertEqual(test_message.destination, "test@salon.example.com")
