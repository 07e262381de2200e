from odoo import SUPERUSER_ID, api

from odoo.addons.appointment_notify.tools.shipped_texts import update_shipped_texts

LINK = '    <p t-if="manage_url"><a t-att-href="manage_url">Follow your repair online</a></p>\n'
# What 19.0.1.2.0 added to the default templates (noupdate data).
CHANGES = {
    f"mail_template_repair_{name}": {"body_html": LINK}
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
    """The repair e-mails link to the order's status page (appointment_notify_repair_links);
    only where the template is still the shipped text."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    update_shipped_texts(env, "appointment_notify_repair", "data/mail_template_data.xml", CHANGES)
