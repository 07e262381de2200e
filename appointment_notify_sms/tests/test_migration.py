import importlib.util
import json

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL
from odoo.tools.misc import file_path

XMLID = "appointment_notify_sms.sms_template_event_reminder"


def load_migration(version):
    path = file_path(f"appointment_notify_sms/migrations/{version}/post-migrate.py")
    spec = importlib.util.spec_from_file_location(f"an_sms_migrate_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install", "appointment_notify_sms")
class TestMigration(TransactionCase):
    """19.0.1.3.0: the default reminder gets "Reply 1", never over a business's edit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.migration = load_migration("19.0.1.3.0")
        cls.template = cls.env.ref(XMLID)
        cls.new = cls.stored()["en_US"]
        cls.addition = cls.migration.CHANGES["sms_template_event_reminder"]["body"]
        cls.old = cls.new.replace(cls.addition, "")

    @classmethod
    def stored(cls):
        cls.env.cr.execute(SQL("SELECT body FROM sms_template WHERE id = %s", cls.template.id))
        return cls.env.cr.fetchone()[0]

    def store(self, value):
        self.env.cr.execute(
            SQL(
                "UPDATE sms_template SET body = %s WHERE id = %s",
                json.dumps(value),
                self.template.id,
            )
        )
        self.template.invalidate_recordset(["body"])

    def migrate(self):
        self.migration.migrate(self.env.cr, "19.0.1.2.0")
        return self.stored()

    def test_shipped_text_gets_the_addition(self):
        self.assertIn("Reply 1 to confirm", self.new)
        self.assertNotIn("Reply 1", self.old)
        shipped_tr = self.migration_po_tr(self.old)
        self.assertTrue(shipped_tr, "the Turkish .po translates the previous text")
        self.store({"en_US": self.old, "tr_TR": shipped_tr, "nl_NL": "Onze eigen tekst"})
        # The shipped Turkish goes (the update's .po load fills in the new one);
        # the business's own Dutch stays.
        self.assertEqual(self.migrate(), {"en_US": self.new, "nl_NL": "Onze eigen tekst"})
        self.assertIn("Reply 1", self.template.with_context(lang="en_US").body)

    def test_edited_text_left_alone(self):
        edited = {"en_US": self.old.replace("reminder of", "don't forget"), "tr_TR": "x"}
        self.store(edited)
        self.assertEqual(self.migrate(), edited)

    def test_twice_changes_nothing_more(self):
        self.store({"en_US": self.old})
        self.migrate()
        self.assertEqual(self.migrate(), {"en_US": self.new})

    def migration_po_tr(self, english):
        from odoo.addons.appointment_notify.tools.shipped_texts import _shipped_translations

        return _shipped_translations("appointment_notify_sms").get("tr", {}).get(english)
