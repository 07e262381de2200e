from odoo import SUPERUSER_ID, api

from odoo.addons.appointment_notify.tools.shipped_texts import update_shipped_texts

LINK = "{{ (' Follow your repair: ' + manage_url) if manage_url else '' }}"
# What 19.0.1.1.0 added to the default templates (noupdate data).
CHANGES = {
    f"sms_template_repair_{name}": {"body": LINK}
    for name in (
        "created",
        "status_changed",
        "confirmed",
        "under_repair",
        "done",
        "rescheduled",
        "reminder",
    )
}


def migrate(cr, version):
    """The repair SMS link to the order's status page (appointment_notify_repair_links);
    only where the template is still the shipped text."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    update_shipped_texts(
        env, "appointment_notify_repair_sms", "data/sms_template_data.xml", CHANGES
    )
