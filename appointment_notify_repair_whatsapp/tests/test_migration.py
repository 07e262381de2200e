import importlib.util

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import RepairWhatsappCase

VERSION = "19.0.1.1.0"


def load_migration():
    path = file_path(f"appointment_notify_repair_whatsapp/migrations/{VERSION}/post-migrate.py")
    spec = importlib.util.spec_from_file_location("an_repair_wa_migrate", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


@tagged("post_install", "-at_install", "appointment_notify_repair_whatsapp")
class TestMigration(RepairWhatsappCase):
    """19.0.1.1.0: the shipped repair texts get the status page link, in five languages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.migration = load_migration()

    def as_before(self, template):
        """The template as 19.0.1.0.0 shipped it: no link sentence, no link variable."""
        line = template.variable_ids.filtered(lambda v: v.expression == "manage_url")
        sentence = self.migration.added_sentence(template.body, line.number)
        self.assertTrue(sentence, template.body)
        new = template.body
        template.write({"body": new.replace(sentence, ""), "variable_ids": [(2, line.id)]})
        return new

    def test_shipped_texts_get_the_link(self):
        news = {}
        for case in self.migration.TRIGGERS:
            for lang in self.migration.LANGS:
                template = self.wa_template(case, lang)
                template.content_sid = False  # not approved yet
                news[template] = self.as_before(template)
        self.migration.migrate(self.env.cr, "19.0.1.0.0")
        for template, new in news.items():
            self.assertEqual(template.body, new)
            line = template.variable_ids.filtered(lambda v: v.expression == "manage_url")
            self.assertEqual(line.number, max(template.variable_ids.mapped("number")))

    def test_approved_or_edited_left_alone(self):
        approved = self.wa_template("done", "nl")  # has its ContentSid (the test case's)
        edited = self.wa_template("created", "it")
        edited.content_sid = False
        old_approved = approved.body.replace(self.migration.added_sentence(approved.body, 5), "")
        self.as_before(approved)
        self.as_before(edited)
        edited.body = edited.body.replace("Gentile", "Caro")
        self.migration.migrate(self.env.cr, "19.0.1.0.0")
        self.assertEqual(approved.body, old_approved)
        self.assertNotIn("manage_url", approved.variable_ids.mapped("expression"))
        self.assertTrue(edited.body.startswith("Caro"))
        self.assertNotIn("manage_url", edited.variable_ids.mapped("expression"))
