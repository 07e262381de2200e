from odoo.tests import TransactionCase, tagged


def states_after_install(env, not_installed, install):
    """The states Odoo's installer gives the modules when ``install`` is installed on a
    database without ``not_installed`` (nor what depends on them).

    The decision is Odoo's own (``button_install``: dependencies, ``auto_install``);
    only module states change, and the test's rollback restores them."""
    modules = env["ir.module.module"]
    gone = modules.search([("name", "in", not_installed)])
    (gone | gone.downstream_dependencies()).write({"state": "uninstalled"})
    modules.search([("name", "in", install)]).button_install()
    return dict(modules.search([]).mapped(lambda m: (m.name, m.state)))


@tagged("post_install", "-at_install")
class TestRepairInstall(TransactionCase):
    def test_repair_brings_this_addon(self):
        """Installing repair next to appointment_notify brings repair support along."""
        states = states_after_install(self.env, ["repair"], ["repair"])
        self.assertEqual(states["appointment_notify_repair"], "to install")

    def test_this_addon_brings_repair_support_to_notifications(self):
        """Installing appointment_notify where repair is installed brings it too."""
        states = states_after_install(self.env, ["appointment_notify"], ["appointment_notify"])
        self.assertEqual(states["appointment_notify_repair"], "to install")

    def test_no_repair_for_a_salon(self):
        """appointment_notify alone brings neither repair nor its support."""
        states = states_after_install(
            self.env, ["appointment_notify", "repair"], ["appointment_notify"]
        )
        self.assertEqual(states["appointment_notify"], "to install")
        self.assertEqual(states["repair"], "uninstalled")
        self.assertEqual(states["appointment_notify_repair"], "uninstalled")
