import importlib.util
import json

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL
from odoo.tools.misc import file_path

from odoo.addons.appointment_notify.tools.shipped_texts import _shipped_translations, _translate


def load_migration(module, version):
    path = file_path(f"{module}/migrations/{version}/post-migrate.py")
    spec = importlib.util.spec_from_file_location(f"{module}_migrate_{version}", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


@tagged("post_install", "-at_install", "appointment_notify_repair")
class TestMigration(TransactionCase):
    """19.0.1.2.0: the repair e-mails get the status page link where still as shipped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.migration = load_migration("appointment_notify_repair", "19.0.1.2.0")
        cls.template = cls.env.ref("appointment_notify_repair.mail_template_repair_done")
        cls.new = cls.stored()["en_US"]
        cls.old = cls.norm(cls.new.replace(cls.migration.LINK, ""))

    @classmethod
    def norm(cls, html):
        field = cls.template._fields["body_html"]
        return str(field.convert_to_cache(html, cls.template))

    @classmethod
    def stored(cls):
        cls.env.cr.execute(
            SQL("SELECT body_html FROM mail_template WHERE id = %s", cls.template.id)
        )
        return cls.env.cr.fetchone()[0]

    def store(self, value):
        self.env.cr.execute(
            SQL(
                "UPDATE mail_template SET body_html = %s WHERE id = %s",
                json.dumps(value),
                self.template.id,
            )
        )
        self.template.invalidate_recordset(["body_html"])

    def migrate(self):
        self.migration.migrate(self.env.cr, "19.0.1.1.0")
        return self.stored()

    def test_shipped_text_gets_the_link(self):
        self.assertIn('t-att-href="manage_url"', self.new)
        self.assertNotIn("manage_url", self.old)
        terms = _shipped_translations("appointment_notify_repair")["nl"]
        shipped_nl = self.norm(_translate(self.template._fields["body_html"], self.old, terms))
        self.assertIn("Vragen?", shipped_nl)
        own_fr = self.old.replace("Questions?", "Des questions ?")
        self.store({"en_US": self.old, "nl_NL": shipped_nl, "fr_FR": own_fr})
        self.assertEqual(self.migrate(), {"en_US": self.new, "fr_FR": own_fr})

    def test_edited_text_left_alone(self):
        edited = {"en_US": self.old.replace("Questions?", "Any questions?")}
        self.store(edited)
        self.assertEqual(self.migrate(), edited)

    def test_every_changed_template_is_found(self):
        for record_id in self.migration.CHANGES:
            template = self.env.ref(f"appointment_notify_repair.{record_id}")
            self.assertIn("manage_url", template.body_html)
