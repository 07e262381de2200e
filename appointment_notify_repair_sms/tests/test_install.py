from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "appointment_notify_repair_sms")
class TestRepairSmsInstall(TransactionCase):
    def test_auto_installed(self):
        """Repair support and the SMS channel together bring this addon along."""
        names = [
            "appointment_notify_repair",
            "appointment_notify_sms",
            "appointment_notify_repair_sms",
        ]
        modules = self.env["ir.module.module"].search([("name", "in", names)])
        self.assertEqual(len(modules), 3)
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        manifest = self.env["ir.module.module"].get_module_info("appointment_notify_repair_sms")
        self.assertTrue(manifest["auto_install"])
        self.assertEqual(
            set(manifest["depends"]), {"appointment_notify_repair", "appointment_notify_sms"}
        )
