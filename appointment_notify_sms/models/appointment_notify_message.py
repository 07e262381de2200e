import logging

import requests

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.appointment_notify.models.appointment_notify_message import NotifySendError

from ..tools.phone import normalize_mobile
from ..tools.sms_encoding import sms_segments
from ..tools.throttle import reserve_turn, sleep_until, wait_turn

_logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twilio.com"
TIMEOUT = 10  # seconds: one slow call must not hold the dispatcher's batch
TWILIO_MAX_VALIDITY = 36000  # seconds, Twilio's maximum (and default)
STATUS_PATH = "/appointment_notify_sms/status"
OPT_OUT_SOURCE = "Twilio 21610 (STOP)"

# Twilio statuses of an outbound message -> our state (None: no change)
TWILIO_STATUS = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


class TwilioSendError(NotifySendError):
    """A refused send, with Twilio's error code (21610 also turns consent off)."""

    def __init__(self, reason, code=None, **kwargs):
        super().__init__(reason, **kwargs)
        self.code = code


class AppointmentNotifyMessage(models.Model):
    _inherit = "appointment.notify.message"

    channel = fields.Selection(selection_add=[("sms", "SMS")], ondelete={"sms": "cascade"})
    sms_segment_count = fields.Integer(
        string="SMS segments",
        compute="_compute_sms_segment_count",
        store=True,
        help="What the text as sent is billed as: 160/153 GSM-7 or 70/67 Unicode "
        "characters per segment.",
    )

    @api.depends("channel", "body")
    def _compute_sms_segment_count(self):
        for message in self:
            is_sms = message.channel == "sms" and message.body
            message.sms_segment_count = sms_segments(message.body)[2] if is_sms else 0

    # ------------------------------------------------------------------
    # dispatcher hooks
    # ------------------------------------------------------------------

    def _is_test_mode(self):
        # No Twilio account: render and log, but nothing leaves the machine.
        if self.channel == "sms" and not self.company_id._notify_sms_has_account():
            return True
        return super()._is_test_mode()

    def _check_consent_and_destination(self):
        res = super()._check_consent_and_destination()
        if self.channel == "sms" and self.is_test:
            # The typed number of "Send a test" is normalised like a customer's.
            self.destination = self._sms_normalize(self.destination)
        return res

    def _get_destination(self):
        if self.channel != "sms":
            return super()._get_destination()
        partner = self.partner_id
        number = partner._notify_sms_number()
        if not number:
            raise NotifySendError(
                self.env._("%s has no mobile or phone number.", partner.display_name)
            )
        return self._sms_normalize(number)

    def _sms_normalize(self, number):
        """E.164 of ``number`` (customer's country, else the company's), or fail."""
        country = self.partner_id.country_id or self.company_id.country_id
        e164, problem = normalize_mobile(number, country.code)
        if problem == "invalid":
            raise NotifySendError(
                self.env._(
                    "The number %(number)r of %(customer)s is not a valid phone number "
                    "(country: %(country)s).",
                    number=number,
                    customer=self.partner_id.display_name,
                    country=country.name or self.env._("none"),
                )
            )
        if problem == "not_mobile":
            raise NotifySendError(
                self.env._(
                    "The number %(number)r of %(customer)s is a landline or another "
                    "number that cannot receive SMS.",
                    number=number,
                    customer=self.partner_id.display_name,
                )
            )
        return e164

    def _render_sms(self):
        template = self.rule_id.sms_template_id
        if not template:
            raise NotifySendError(self.env._("The rule has no SMS template."))
        rendered, ctx = self._render_template(template, {"body": None})
        body = (rendered["body"] or "").strip()
        if ctx.get("note"):
            body = f"{body}\n{ctx['note']}"
        self.write({"subject": False, "body": body})

    def _transmit_sms(self):
        """Prepare the Twilio call with the ORM; return it as a plain callable."""
        company = self.company_id.sudo()
        sender = company._notify_sms_sender(self.destination)
        if not sender:
            raise NotifySendError(
                self.env._(
                    "No SMS sender is set: choose a number, a Messaging Service or a "
                    "sender ID in Settings > Notifications > SMS."
                )
            )
        data = {
            "To": self.destination,
            "Body": self.body or "",
            "StatusCallback": self._sms_status_callback_url(),
            **sender,
        }
        validity = self._sms_validity_period()
        if validity:
            data["ValidityPeriod"] = str(validity)
        return self._twilio_transmission(data, tuple(sender.values()), company.notify_sms_rate)

    def _finish_sms(self, response):
        return self._twilio_answer(response, self._sms_api_error)

    def _twilio_transmission(self, data, sender_key, rate):
        """A plain callable posting ``data`` to Twilio's Messages API.

        The dispatcher runs it in its thread pool (network only, no ORM), so
        several messages wait for Twilio at once. The sender's throttle slot is
        taken now and the call does not start before it (``not_before``, which
        the dispatcher reads so as not to hold rows locked while it waits), nor
        within 1/rate seconds of the sender's previous call. It
        only ever runs in the dispatcher, never in a user's transaction. Shared
        by the SMS and WhatsApp channels.
        """
        company = self.company_id.sudo()
        account = company.sms_twilio_account_sid
        url = f"{self._sms_api_url()}/2010-04-01/Accounts/{account}/Messages.json"
        auth = (account, company.sms_twilio_auth_token)
        throttle_key = (account, *sender_key)
        not_before = reserve_turn(throttle_key, rate)

        def transmit():
            sleep_until(not_before)
            wait_turn(throttle_key, rate)
            return requests.post(url, data=data, auth=auth, timeout=TIMEOUT)

        transmit.not_before = not_before
        return transmit

    def _twilio_answer(self, response, api_error):
        """Twilio's answer (or the exception of the call) -> its SID, or a mapped error."""
        if isinstance(response, requests.exceptions.RequestException):
            raise NotifySendError(
                self.env._("Twilio could not be reached: %s", response), retry=True
            ) from response
        if isinstance(response, BaseException):
            raise response
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.ok and payload.get("sid"):
            return payload["sid"]
        raise api_error(response.status_code, payload)

    def _handle_send_error(self, exc, now):
        res = super()._handle_send_error(exc, now)
        if getattr(exc, "code", None) == 21610:
            # Outside the send's savepoint, so the opt-out survives the failure.
            self.partner_id.sudo().with_context(
                notify_consent_source=OPT_OUT_SOURCE
            ).notify_consent_sms = False
        return res

    # ------------------------------------------------------------------
    # Twilio helpers
    # ------------------------------------------------------------------

    def _sms_api_url(self):
        url = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("appointment_notify_sms.twilio_api_url")
        )
        return (url or DEFAULT_API_URL).rstrip("/")

    def _sms_base_url(self):
        # The webhook URL of Settings, the one signatures are checked against.
        return self.env["res.company"]._notify_twilio_webhook_url()

    def _sms_status_callback_url(self):
        # The message id in the path finds the row even before the dispatcher
        # committed its SID (a fast callback waits for that commit).
        return f"{self._sms_base_url()}{STATUS_PATH}/{self.id}"

    def _sms_validity_period(self):
        """Reminders: seconds Twilio may keep the message queued, never past the start.

        min(time left before the appointment, the configured cap (default 4 h,
        Twilio allows up to 10 h)), at least 1 s. Other messages: Twilio's default.
        """
        if self.trigger != "reminder" or not self.deadline_at:
            return None
        cap = self._sms_param_int("validity_max_seconds", 14400)
        cap = min(max(cap, 1), TWILIO_MAX_VALIDITY)
        left = int((self.deadline_at - fields.Datetime.now()).total_seconds())
        return max(1, min(left, cap))

    def _sms_param_int(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(f"appointment_notify_sms.{key}")
        try:
            return int(value) if value else default
        except ValueError:
            return default

    def _sms_api_error(self, status, payload):
        """Twilio's refusal -> a NotifySendError telling whether to retry."""
        code = payload.get("code")
        detail = payload.get("message") or self.env._("HTTP %s", status)
        if status == 401 or code == 20003:
            reason = self.env._(
                "Twilio refused the account credentials (error 20003): check the Account "
                "SID and Auth Token in Settings > SMS > Configure Twilio Account."
            )
            return TwilioSendError(reason, code=20003)
        if status == 429 or code == 20429 or status >= 500:
            reason = self.env._(
                "Twilio is busy or unavailable (HTTP %(status)s, error %(code)s): %(detail)s",
                status=status,
                code=code,
                detail=detail,
            )
            return TwilioSendError(reason, code=code, retry=True)
        readable = {
            21211: self.env._("Twilio: %s is not a valid phone number.", self.destination),
            21614: self.env._("Twilio: %s is a landline or not a mobile number.", self.destination),
            21610: self.env._(
                "The customer unsubscribed from this sender (replied STOP): SMS consent "
                "was turned off."
            ),
            21608: self.env._(
                "The Twilio account cannot text %s yet: a trial account only reaches "
                "verified numbers, or the account needs an approved compliance profile.",
                self.destination,
            ),
            21612: self.env._(
                "Twilio cannot reach %s from the configured sender: check the sender "
                "for the customer's country.",
                self.destination,
            ),
        }.get(code)
        reason = self.env._(
            "%(readable)s (Twilio error %(code)s: %(detail)s)",
            readable=readable or self.env._("Twilio refused the message."),
            code=code,
            detail=detail,
        )
        return TwilioSendError(reason, code=code)

    def _sms_delivery_error_reason(self, status, code):
        readable = {
            "30001": self.env._("Twilio's queue for the sender overflowed."),
            "30003": self.env._("The phone is unreachable (switched off or out of coverage)."),
            "30005": self.env._("The number is unknown or no longer exists."),
            "30006": self.env._("The number is a landline or its carrier cannot receive SMS."),
            "30007": self.env._("The carrier filtered the message (content or sender)."),
            "30008": self.env._("The carrier reported an unknown error."),
            "30036": self.env._("Not sent in time: the validity period expired."),
        }.get(code or "")
        return self.env._(
            "Not delivered (%(status)s, Twilio error %(code)s): %(readable)s",
            status=status,
            code=code or "-",
            readable=readable or self.env._("no details given."),
        )

    def _sms_apply_status(self, status, error_code=None, sid=None):
        """Apply a status callback; applying the same one twice changes nothing.

        A late 'sent' never overwrites 'delivered' and nothing reopens a final state.
        """
        self.ensure_one()
        # Wait for the dispatcher that may still hold this row (it commits the SID).
        self.env.cr.execute(
            SQL(
                "SELECT id FROM appointment_notify_message WHERE id = %s FOR NO KEY UPDATE", self.id
            )
        )
        if self.state in ("scheduled", "sending") and not self.provider_ref:
            # An attempt whose answer never reached us (a timeout Twilio did
            # accept): it cannot be matched to this message's outcome.
            _logger.warning(
                "Twilio status of %s ignored: message %s has no known send", sid, self.id
            )
            return False
        if sid and self.provider_ref and sid != self.provider_ref:
            _logger.warning(
                "Twilio status of %s ignored: message %s is %s", sid, self.id, self.provider_ref
            )
            return False
        new_state = TWILIO_STATUS.get(status)
        if not new_state or self.state not in ("sending", "sent") or self.state == new_state:
            return False
        vals = {"state": new_state}
        if new_state == "failed":
            vals["reason"] = self._sms_delivery_error_reason(status, error_code)
        self.write(vals)
        if new_state == "failed":
            self._log_in_chatter()
        return True
