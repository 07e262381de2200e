import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.sms_twilio.tools.sms_twilio import get_twilio_from_number

from ..tools.phone import normalize_mobile

ALPHANUMERIC_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
NETGSM_HEADER_RE = re.compile(r"^[A-Za-z0-9 .*-]{3,11}$")
WEBHOOK_URL_PARAM = "appointment_notify_sms.webhook_url"


class ResCompany(models.Model):
    """Who the customer sees as the sender, and how fast we may send.

    The Twilio account itself (SID, token, numbers) is sms_twilio's.
    """

    _inherit = "res.company"

    notify_sms_provider = fields.Selection(
        [("twilio", "Twilio"), ("netgsm", "NetGSM")],
        string="SMS provider",
        default="twilio",
        required=True,
        groups="base.group_system",
        help="Who sends this company's SMS: NetGSM for Turkey (registered header, "
        "Turkish characters), Twilio elsewhere.",
    )
    notify_netgsm_usercode = fields.Char(
        string="NetGSM user code",
        groups="base.group_system",
        help="The subscriber number (850...) or API sub-user of the NetGSM account.",
    )
    notify_netgsm_password = fields.Char(string="NetGSM password", groups="base.group_system")
    notify_netgsm_header = fields.Char(
        string="NetGSM header (başlık)",
        groups="base.group_system",
        help="The sender name registered at NetGSM (3 to 11 characters, no Turkish letters). "
        "NetGSM refuses any header it has not registered for the account (code 40).",
    )
    notify_netgsm_encoding = fields.Selection(
        [("TR", "Turkish characters (TR)"), ("default", "Latin only")],
        string="NetGSM encoding",
        default="TR",
        required=True,
        groups="base.group_system",
        help="TR keeps ç, ğ, ı, İ, ö, ş, ü as written (the Turkish alphabet of the "
        "SMS standard); Latin only lets NetGSM replace them.",
    )
    notify_sms_sender_type = fields.Selection(
        [
            ("number", "Phone number"),
            ("service", "Messaging Service"),
            ("alphanumeric", "Alphanumeric sender ID"),
        ],
        string="SMS sender",
        default="number",
        required=True,
        groups="base.group_system",
    )
    notify_sms_from_number = fields.Char(
        string="SMS from number",
        groups="base.group_system",
        help="A Twilio number of the account, in international format. Empty: the "
        "Twilio numbers of the account, the one matching the customer's country first.",
    )
    notify_sms_messaging_service_sid = fields.Char(
        string="Messaging Service SID",
        groups="base.group_system",
        help="MG..., Twilio picks the number from the service's sender pool.",
    )
    notify_sms_alphanumeric_sender = fields.Char(
        string="Alphanumeric sender ID",
        groups="base.group_system",
        help="Up to 11 letters, digits or spaces, e.g. the salon's name. Customers "
        "cannot reply to it; some countries (e.g. Turkey) require registering it first.",
    )
    notify_sms_rate = fields.Float(
        string="SMS per second",
        default=1.0,
        groups="base.group_system",
        help="Sending rate per sender: 1 for a long code, more for short codes and "
        "services; 0 sends as fast as possible.",
    )

    @api.constrains(
        "notify_sms_from_number",
        "notify_sms_messaging_service_sid",
        "notify_sms_alphanumeric_sender",
        "notify_sms_rate",
        "notify_netgsm_header",
    )
    def _check_notify_sms_sender(self):
        for company in self.sudo():
            number = company.notify_sms_from_number
            if number and not normalize_mobile(number)[0]:
                raise ValidationError(
                    self.env._(
                        "The SMS from number %s is not a number in international format (+...).",
                        number,
                    )
                )
            service = company.notify_sms_messaging_service_sid
            if service and not re.match(r"^MG[0-9a-fA-F]{32}$", service):
                raise ValidationError(
                    self.env._(
                        "A Messaging Service SID starts with MG followed by 32 "
                        "hexadecimal characters."
                    )
                )
            alpha = company.notify_sms_alphanumeric_sender
            if alpha and not ALPHANUMERIC_RE.match(alpha):
                raise ValidationError(
                    self.env._(
                        "An alphanumeric sender ID has 1 to 11 letters, digits or "
                        "spaces, with at least one letter."
                    )
                )
            header = company.notify_netgsm_header
            if header and not NETGSM_HEADER_RE.match(header):
                raise ValidationError(
                    self.env._(
                        "A NetGSM header (başlık) has 3 to 11 characters without Turkish "
                        "letters: letters, digits, spaces, '.', '-' or '*'."
                    )
                )
            if company.notify_sms_rate < 0:
                raise ValidationError(self.env._("The SMS rate cannot be negative."))

    @api.model
    def _notify_twilio_webhook_url(self):
        """The public address Twilio calls us at, without a trailing slash.

        One setting, for building StatusCallback URLs and for checking the
        signatures of what Twilio posts back (it signs the URL it called). Not
        ``web.base.url`` itself: Odoo rewrites that when an administrator logs in
        from another address, and every pending callback would then be refused.
        Set at install to the base URL of the time; empty: the base URL.
        """
        ICP = self.env["ir.config_parameter"].sudo()
        url = ICP.get_param(WEBHOOK_URL_PARAM) or ICP.get_param("web.base.url", "")
        return url.strip().rstrip("/")

    def _notify_sms_has_account(self):
        """Whether the company's SMS provider has an account (else: test mode)."""
        self.ensure_one()
        company = self.sudo()
        if company.notify_sms_provider == "netgsm":
            return bool(company.notify_netgsm_usercode and company.notify_netgsm_password)
        return bool(company.sms_twilio_account_sid and company.sms_twilio_auth_token)

    def _notify_sms_sender(self, to_number):
        """The provider's fields naming the sender, e.g. {"From": "+3197..."}; {} if none."""
        self.ensure_one()
        company = self.sudo()
        if company.notify_sms_provider == "netgsm":
            header = company.notify_netgsm_header
            return {"msgheader": header} if header else {}
        kind = company.notify_sms_sender_type
        if kind == "service":
            sid = company.notify_sms_messaging_service_sid
            return {"MessagingServiceSid": sid} if sid else {}
        if kind == "alphanumeric":
            alpha = company.notify_sms_alphanumeric_sender
            return {"From": alpha} if alpha else {}
        number = company.notify_sms_from_number
        if not number:
            number = get_twilio_from_number(company, to_number).number
        return {"From": normalize_mobile(number)[0] or number} if number else {}
