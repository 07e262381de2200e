import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.appointment_notify_sms.tools.phone import normalize_mobile


class ResCompany(models.Model):
    """The WhatsApp sender and the answers to customers who write in.

    The Twilio account (SID, token) is sms_twilio's, shared with SMS.
    """

    _inherit = "res.company"

    notify_whatsapp_sender_type = fields.Selection(
        [("number", "WhatsApp number"), ("service", "Messaging Service")],
        string="WhatsApp sender",
        default="number",
        required=True,
        groups="base.group_system",
    )
    notify_whatsapp_from_number = fields.Char(
        string="WhatsApp from number",
        groups="base.group_system",
        help="The WhatsApp sender registered in Twilio, e.g. whatsapp:+31970100000.",
    )
    notify_whatsapp_messaging_service_sid = fields.Char(
        string="WhatsApp Messaging Service SID",
        groups="base.group_system",
        help="MG..., a Messaging Service whose sender pool holds the WhatsApp sender.",
    )
    notify_whatsapp_rate = fields.Float(
        string="WhatsApp messages per second",
        default=20.0,
        groups="base.group_system",
        help="Sending rate per sender; 0 sends as fast as possible.",
    )
    notify_whatsapp_auto_reply = fields.Text(
        string="WhatsApp auto-reply",
        translate=True,
        help="Answer to customers who write anything else than a button or STOP/START. "
        "Empty: 'This number does not take messages. Please contact <company> at "
        "<phone>.'",
    )
    notify_whatsapp_cancel_min_hours = fields.Float(
        string="Cancel by WhatsApp until (hours before)",
        default=2.0,
        help="The Cancel button works until this many hours before the start; later "
        "the customer is told to call. Rules may set their own.",
    )

    @api.constrains(
        "notify_whatsapp_from_number",
        "notify_whatsapp_messaging_service_sid",
        "notify_whatsapp_rate",
        "notify_whatsapp_cancel_min_hours",
    )
    def _check_notify_whatsapp(self):
        for company in self.sudo():
            number = company.notify_whatsapp_from_number
            if number and not normalize_mobile(number.removeprefix("whatsapp:"))[0]:
                raise ValidationError(
                    self.env._(
                        "The WhatsApp from number %s is not a number in international "
                        "format (whatsapp:+...).",
                        number,
                    )
                )
            service = company.notify_whatsapp_messaging_service_sid
            if service and not re.match(r"^MG[0-9a-fA-F]{32}$", service):
                raise ValidationError(
                    self.env._(
                        "A Messaging Service SID starts with MG followed by 32 "
                        "hexadecimal characters."
                    )
                )
            if company.notify_whatsapp_rate < 0 or company.notify_whatsapp_cancel_min_hours < 0:
                raise ValidationError(
                    self.env._("The WhatsApp rate and cancellation hours cannot be negative.")
                )

    def _notify_whatsapp_sender(self):
        """{"From": "whatsapp:+..."} or {"MessagingServiceSid": "MG..."}; {} if none."""
        self.ensure_one()
        company = self.sudo()
        if company.notify_whatsapp_sender_type == "service":
            sid = company.notify_whatsapp_messaging_service_sid
            return {"MessagingServiceSid": sid} if sid else {}
        number = company.notify_whatsapp_from_number
        if not number:
            return {}
        e164 = normalize_mobile(number.removeprefix("whatsapp:"))[0]
        return {"From": f"whatsapp:{e164}"}

    def _notify_whatsapp_contact(self):
        """How customers reach the business: 'phone or e-mail'."""
        self.ensure_one()
        return self.env._(" or ").join(filter(None, [self.phone, self.email])) or self.name

    def _notify_whatsapp_auto_reply_text(self, lang):
        self.ensure_one()
        company = self.with_context(lang=lang)
        if company.notify_whatsapp_auto_reply:
            return company.notify_whatsapp_auto_reply
        return company.env._(
            "This number does not take messages. Please contact %(company)s at %(contact)s.",
            company=company.name,
            contact=company._notify_whatsapp_contact(),
        )
