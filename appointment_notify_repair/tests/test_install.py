from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestRepairInstall(TransactionCase):
    def test_auto_installed_with_repair(self):
        """Installing repair next to appointment_notify brings this addon along."""
        modules = self.env["ir.module.module"].search(
            [("name", "in", ["repair", "appointment_notify", "appointment_notify_repair"])]
        )
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        self.assertEqual(len(modules), 3)
