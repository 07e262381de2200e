from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import NotifyCase


@tagged("post_install", "-at_install", "appointment_notify")
class TestRuleDomainRights(NotifyCase):
    """A rule's domain is searched with its author's rights, not the planner's superuser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Branch"})
        # Notifications Administrator of this company only, without Settings rights.
        cls.notify_admin = new_test_user(
            cls.env,
            login="notify_admin_domain",
            groups="base.group_user,appointment_notify.group_notify_admin",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        # A customer of the other company: its notes are not the administrator's to read.
        cls.hidden = cls.env["res.partner"].create(
            {
                "name": "Hidden Customer",
                "email": "hidden@example.com",
                "company_id": cls.other_company.id,
                "comment": "<p>vip</p>",
                "notify_consent_email": True,
            }
        )
        cls.customer.comment = "<p>vip</p>"

    def make_admin_rule(self, domain):
        return (
            self.Rule.with_user(self.notify_admin)
            .create(
                {
                    "name": "VIP confirmations",
                    "trigger": "confirmed",
                    "channel": "email",
                    "mail_template_id": self.env.ref(
                        "appointment_notify.mail_template_event_confirmed"
                    ).id,
                    "company_id": self.company.id,
                    "filter_domain": domain,
                }
            )
            .sudo()
        )

    def test_domain_cannot_probe_records_beyond_the_authors_rights(self):
        """Planning runs as superuser; the domain still sees only what its author sees."""
        rule = self.make_admin_rule("[('partner_ids.comment', 'ilike', 'vip')]")
        self.assertFalse(self.hidden.with_user(self.notify_admin).has_access("read"))
        visible = self.make_event(partners=self.customer)
        hidden = self.make_event(partners=self.hidden)
        self.assertTrue(self.messages(visible, rule_id=rule.id))
        # Booked by a receptionist without Notifications groups: the author's rights count.
        start = visible.start + timedelta(days=1)
        booked = self.Event.with_user(self.staff).create(
            {
                "name": "Colour",
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [(6, 0, self.customer.ids)],
            }
        )
        self.assertTrue(self.messages(booked, rule_id=rule.id))
        # As superuser the hidden customer's note matched: a message was the answer.
        self.assertFalse(self.messages(hidden, rule_id=rule.id))

    def test_fields_beyond_the_authors_rights_refused_on_save(self):
        """Who is online is for Settings users: a domain on it is refused, naming why."""
        with self.assertRaises(ValidationError) as err:
            self.make_admin_rule("[('user_id.presence_ids.status', '=', 'online')]")
        self.assertIn("has an invalid domain", str(err.exception))
        self.assertIn("presence_ids", str(err.exception))

    def test_domain_follows_the_rule_author(self):
        """Whoever saves the rule vouches for its domain: the same rule saved by an
        administrator who may read the other company's customers matches them."""
        rule = self.make_admin_rule("[('partner_ids.comment', 'ilike', 'vip')]")
        manager = new_test_user(
            self.env,
            login="notify_manager_domain",
            groups="base.group_user,appointment_notify.group_notify_admin",
            company_id=self.company.id,
            company_ids=[(6, 0, (self.company | self.other_company).ids)],
        )
        rule.with_user(manager).name = "VIP confirmations (all branches)"
        self.assertEqual(rule.write_uid, manager)
        hidden = self.make_event(partners=self.hidden)
        self.assertTrue(self.messages(hidden, rule_id=rule.id))
