from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "appointment_notify_repair_whatsapp")
class TestRepairWhatsappInstall(TransactionCase):
    def test_auto_installed(self):
        """Repair support and the WhatsApp channel together bring this addon along."""
        names = [
            "appointment_notify_repair",
            "appointment_notify_whatsapp",
            "appointment_notify_repair_whatsapp",
        ]
        modules = self.env["ir.module.module"].search([("name", "in", names)])
        self.assertEqual(len(modules), 3)
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        manifest = self.env["ir.module.module"].get_module_info(
            "appointment_notify_repair_whatsapp"
        )
        self.assertTrue(manifest["auto_install"])
        self.assertEqual(
            set(manifest["depends"]),
            {"appointment_notify_repair", "appointment_notify_whatsapp"},
        )
