from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import NOW, NotifyCase


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify")
class TestAccessAndCompanies(NotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Branch B"})
        cls.receptionist = new_test_user(
            cls.env,
            login="notify_receptionist",
            groups="base.group_user,appointment_notify.group_notify_user",
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.manager = new_test_user(
            cls.env,
            login="notify_manager",
            groups="base.group_user,appointment_notify.group_notify_admin",
            company_ids=[(6, 0, (cls.company | cls.company_b).ids)],
        )
        cls.user_b = new_test_user(
            cls.env,
            login="notify_user_b",
            groups="base.group_user,appointment_notify.group_notify_user",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def test_calendar_user_sees_no_rules_nor_messages(self):
        rule = self.make_rule("confirmed")
        self.make_event()
        with self.assertRaises(AccessError):
            rule.with_user(self.staff).read(["name"])
        with self.assertRaises(AccessError):
            self.Message.with_user(self.staff).search([])
        # ...yet booking as that user plans the messages all the same.
        event = self.make_event().with_user(self.staff)
        event.with_user(self.staff).write({"name": "Renamed by staff"})
        self.assertEqual(len(self.messages(event)), 1)

    def test_user_reads_own_company_messages_only(self):
        self.make_rule("confirmed")
        rule_b = self.make_rule("confirmed", company_id=self.company_b.id)
        event_a = self.make_event()
        event_b = self.make_event(user_id=self.user_b.id)
        msg_a = self.messages(event_a)
        msg_b = self.messages(event_b)
        self.assertEqual(msg_a.company_id, self.company)
        self.assertEqual(msg_b.rule_id, rule_b, "the organizer's company's rules apply")
        self.assertEqual(msg_b.company_id, self.company_b)
        visible = self.Message.with_user(self.receptionist).search(
            [("id", "in", (msg_a | msg_b).ids)]
        )
        self.assertEqual(visible, msg_a)
        visible_b = self.Message.with_user(self.user_b).search([("id", "in", (msg_a | msg_b).ids)])
        self.assertEqual(visible_b, msg_b)
        with self.assertRaises(AccessError):
            rule_b.with_user(self.receptionist).read(["name"])
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.receptionist).create(
                {"name": "x", "trigger": "booked", "channel": "email"}
            )
        with self.assertRaises(AccessError):
            msg_a.with_user(self.receptionist).action_cancel()

    def test_user_reads_messages_of_readable_records_only(self):
        """Who cannot read an appointment does not see what it was told, nor count it."""
        self.make_rule("confirmed")
        visible_event = self.make_event()
        hidden_event = self.make_event(name="Confidential consultation")
        visible, hidden = self.messages(visible_event), self.messages(hidden_event)
        self.env["ir.rule"].create(
            {
                "name": "no confidential appointments",
                "model_id": self.env.ref("calendar.model_calendar_event").id,
                "domain_force": "[('name', 'not ilike', 'confidential')]",
            }
        )
        both = [("id", "in", (visible | hidden).ids)]
        Message = self.Message.with_user(self.receptionist)
        self.assertEqual(Message.search(both), visible)
        self.assertEqual(Message.search_count(both), 1)
        self.assertEqual(Message.read_group(both, ["state"], ["state"])[0]["state_count"], 1)
        self.assertEqual(visible.with_user(self.receptionist).read(["body"])[0]["id"], visible.id)
        with self.assertRaises(AccessError):
            hidden.with_user(self.receptionist).read(["body"])
        with self.assertRaises(AccessError):
            (visible | hidden).with_user(self.receptionist).read(["body"])
        count = visible_event.with_user(self.receptionist).notify_message_count
        self.assertEqual(count, 1)
        # A deleted appointment's messages are the administrators' to read.
        visible_event.unlink()
        self.assertFalse(Message.search(both))
        # The notifications administrator reads every message of their companies.
        self.assertEqual(self.Message.with_user(self.manager).search(both), visible | hidden)

    def test_manager_copies_rules_to_another_company(self):
        rule = self.make_rule("reminder", offset_amount=24, offset_unit="hours")
        wizard = (
            self.env["appointment.notify.rule.copy"]
            .with_user(self.manager)
            .with_context(active_ids=rule.ids)
            .create({"company_ids": [(6, 0, self.company_b.ids)]})
        )
        action = wizard.action_copy()
        copy = self.Rule.browse(action["domain"][0][2])
        self.assertEqual(copy.company_id, self.company_b)
        self.assertEqual(copy.name, rule.name)
        self.assertEqual((copy.trigger, copy.offset_amount), ("reminder", 24))

    def test_views_load_for_each_group(self):
        for user, model in (
            (self.manager, "appointment.notify.rule"),
            (self.manager, "appointment.notify.message"),
            (self.receptionist, "appointment.notify.message"),
            (self.receptionist, "calendar.event"),
            (self.staff, "calendar.event"),
            (self.staff, "res.partner"),
            (self.env.ref("base.user_admin"), "res.config.settings"),
        ):
            with self.subTest(user=user.login, model=model):
                views = (
                    self.env[model]
                    .with_user(user)
                    .get_views([(False, "list"), (False, "form"), (False, "search")])
                )
                self.assertIn("form", views["views"])
        menus = self.env["ir.ui.menu"].with_user(self.receptionist)._visible_menu_ids()
        self.assertIn(self.env.ref("appointment_notify.appointment_notify_message_menu").id, menus)
        self.assertNotIn(self.env.ref("appointment_notify.appointment_notify_rule_menu").id, menus)
        staff_menus = self.env["ir.ui.menu"].with_user(self.staff)._visible_menu_ids()
        self.assertNotIn(
            self.env.ref("appointment_notify.appointment_notify_menu_root").id, staff_menus
        )

    def test_settings_are_per_company(self):
        settings = (
            self.env["res.config.settings"]
            .with_user(self.env.ref("base.user_admin"))
            .create({"notify_manual_confirmation": True, "notify_max_attempts": 7})
        )
        settings.execute()
        self.assertTrue(self.company.notify_manual_confirmation)
        self.assertFalse(self.company_b.notify_manual_confirmation)
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("appointment_notify.max_attempts"), "7"
        )
        self.assertEqual(self.make_event().booking_state, "awaiting")


@tagged("post_install", "-at_install", "appointment_notify")
class TestConsent(NotifyCase):
    def test_off_by_default_and_logged_with_source(self):
        partner = self.env["res.partner"].create({"name": "New Customer", "email": "n@example.com"})
        self.assertFalse(partner.notify_consent_email)
        self.assertFalse(partner.notify_consent_marketing)
        partner.with_context(notify_consent_source="Web booking form").write(
            {"notify_consent_email": True}
        )
        self.assertTrue(partner.notify_consent_email_date)
        self.assertEqual(partner.notify_consent_email_source, "Web booking form")
        self.assertIn("Web booking form", partner.message_ids[0].body)
        self.assertIn("turned on", partner.message_ids[0].body)
        partner.write({"notify_consent_email": False})
        self.assertIn("turned off", partner.message_ids[0].body)
        self.assertIn("Set by", partner.notify_consent_email_source)

    def test_import_stamps_consent(self):
        result = (
            self.env["res.partner"]
            .with_context(import_file=True)
            .load(
                ["name", "email", "notify_consent_email"],
                [["Imported Customer", "imp@example.com", "1"]],
            )
        )
        partner = self.env["res.partner"].browse(result["ids"])
        self.assertTrue(partner.notify_consent_email)
        self.assertTrue(partner.notify_consent_email_date)
        self.assertIn("Import", partner.notify_consent_email_source)
