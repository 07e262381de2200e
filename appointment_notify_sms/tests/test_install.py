from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSmsInstall(TransactionCase):
    def test_installed_without_repair(self):
        """A salon that only books appointments gets no repair (nor its stock/sales)."""
        states = dict(
            self.env["ir.module.module"]
            .search([("name", "in", ["appointment_notify_sms", "repair", "stock"])])
            .mapped(lambda m: (m.name, m.state))
        )
        self.assertEqual(states["appointment_notify_sms"], "installed")
        self.assertNotEqual(states.get("repair"), "installed")
        self.assertNotEqual(states.get("stock"), "installed")
