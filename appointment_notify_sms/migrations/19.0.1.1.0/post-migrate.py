from odoo import SUPERUSER_ID, api

from odoo.addons.appointment_notify_sms.hooks import set_webhook_url
from odoo.addons.appointment_notify_sms.models.appointment_notify_message import OPT_OUT_SOURCE
from odoo.addons.appointment_notify_sms.models.appointment_notify_sms_inbound import OPT_OUT


def migrate(cr, version):
    """Fix the webhook URL; remember which consents a customer's STOP removed.

    Before 19.0.1.1.0 only the consent source told it: "SMS reply STOP from ..."
    or Twilio's 21610. Those customers' START may now restore their consent.
    """
    env = api.Environment(cr, SUPERUSER_ID, {})
    set_webhook_url(env)
    patterns = [f"SMS reply {keyword} from %" for keyword in sorted(OPT_OUT)]
    cr.execute(
        """
        UPDATE res_partner
           SET notify_consent_sms_opted_out = TRUE
         WHERE notify_consent_sms IS NOT TRUE
           AND (notify_consent_sms_source = %s OR notify_consent_sms_source LIKE ANY(%s))
        """,
        (OPT_OUT_SOURCE, patterns),
    )
