from odoo import SUPERUSER_ID, api

from odoo.addons.appointment_notify.tools.shipped_texts import update_shipped_texts

# What 19.0.1.3.0 added to the default templates (noupdate data).
CHANGES = {
    "sms_template_event_reminder": {
        "body": "{{ ' Reply 1 to confirm.' if sms_can_reply else '' }}",
    },
}


def migrate(cr, version):
    """The reminder asks "Reply 1 to confirm" where customers can reply; only
    where the template is still the shipped text."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    update_shipped_texts(env, "appointment_notify_sms", "data/sms_template_data.xml", CHANGES)
