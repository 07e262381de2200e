"""Twilio's Messages API and webhooks, for the SMS and WhatsApp channels.

A plain class (as Odoo's ``sms_twilio/tools/sms_api.py``): it builds the
requests, reads the answers, knows the error catalogue, the statuses, the
STOP/START keywords and the signatures. The message models only call it from
their channel hooks; the transmission it returns runs without the ORM.
"""

import logging

import requests
from twilio.request_validator import RequestValidator

from odoo.addons.appointment_notify.models.appointment_notify_message import NotifySendError

from .throttle import reserve_turn, sleep_until, wait_turn

_logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twilio.com"
API_URL_PARAM = "appointment_notify_sms.twilio_api_url"
TIMEOUT = 10  # seconds: one slow call must not hold the dispatcher's batch
MAX_VALIDITY = 36000  # seconds, Twilio's maximum (and default)
OPT_OUT_SOURCE = "Twilio 21610 (STOP)"
# The answer to a webhook: empty TwiML, no automatic reply.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

# Twilio statuses of an outbound message -> our state (None: no change)
STATUS = {
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

# Twilio's default opt-out and opt-in keywords (single word, any case). "YES" is
# not one of ours: a customer answering a reminder with "yes" has not agreed to
# anything new, and START only restores what a STOP took away.
OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN = {"START", "UNSTOP"}


class TwilioSendError(NotifySendError):
    """A refused send, with Twilio's error code (21610 also turns consent off)."""

    def __init__(self, reason, code=None, **kwargs):
        super().__init__(reason, **kwargs)
        self.code = code


class TwilioClient:
    """The Twilio account of ``company`` (sudo), speaking for ``env``'s language."""

    def __init__(self, env, company):
        self.env = env
        self.company = company.sudo()
        self.account_sid = self.company.sms_twilio_account_sid
        self.auth_token = self.company.sms_twilio_auth_token

    # ------------------------------------------------------------------
    # configuration
    # ------------------------------------------------------------------

    def has_account(self):
        return bool(self.account_sid and self.auth_token)

    def api_url(self):
        url = self.env["ir.config_parameter"].sudo().get_param(API_URL_PARAM)
        return (url or DEFAULT_API_URL).rstrip("/")

    def webhook_url(self):
        # The webhook URL of Settings, the one signatures are checked against.
        return self.env["res.company"]._notify_twilio_webhook_url()

    # ------------------------------------------------------------------
    # sending
    # ------------------------------------------------------------------

    def transmission(self, data, sender_key, rate):
        """A plain callable posting ``data`` to Twilio's Messages API.

        The dispatcher runs it in its thread pool (network only, no ORM), so
        several messages wait for Twilio at once. The sender's throttle slot is
        taken now and the call does not start before it (``not_before``, which
        the dispatcher reads so as not to hold rows locked while it waits), nor
        within 1/rate seconds of the sender's previous call. It only ever runs
        in the dispatcher, never in a user's transaction.
        """
        account = self.account_sid
        url = f"{self.api_url()}/2010-04-01/Accounts/{account}/Messages.json"
        auth = (account, self.auth_token)
        throttle_key = (account, *sender_key)
        not_before = reserve_turn(throttle_key, rate)

        def transmit():
            sleep_until(not_before)
            wait_turn(throttle_key, rate)
            return requests.post(url, data=data, auth=auth, timeout=TIMEOUT)

        transmit.not_before = not_before
        return transmit

    def answer(self, response, api_error):
        """Twilio's answer (or the exception of the call) -> its SID, or a mapped error.

        ``api_error(status, payload)`` turns a refusal into the channel's error.
        """
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

    def api_error(self, status, payload, destination):
        """Twilio's refusal of an SMS -> a TwilioSendError telling whether to retry."""
        _ = self.env._
        code = payload.get("code")
        detail = payload.get("message") or _("HTTP %s", status)
        if status == 401 or code == 20003:
            reason = _(
                "Twilio refused the account credentials (error 20003): check the Account "
                "SID and Auth Token in Settings > SMS > Configure Twilio Account."
            )
            return TwilioSendError(reason, code=20003)
        if status == 429 or code == 20429 or status >= 500:
            reason = _(
                "Twilio is busy or unavailable (HTTP %(status)s, error %(code)s): %(detail)s",
                status=status,
                code=code,
                detail=detail,
            )
            return TwilioSendError(reason, code=code, retry=True)
        readable = {
            21211: _("Twilio: %s is not a valid phone number.", destination),
            21614: _("Twilio: %s is a landline or not a mobile number.", destination),
            21610: _(
                "The customer unsubscribed from this sender (replied STOP): SMS consent "
                "was turned off."
            ),
            21608: _(
                "The Twilio account cannot text %s yet: a trial account only reaches "
                "verified numbers, or the account needs an approved compliance profile.",
                destination,
            ),
            21612: _(
                "Twilio cannot reach %s from the configured sender: check the sender "
                "for the customer's country.",
                destination,
            ),
        }.get(code)
        return self.refusal(readable or _("Twilio refused the message."), code, detail)

    def refusal(self, readable, code, detail, error_class=TwilioSendError, **kwargs):
        """A refusal with its readable text, Twilio's code and Twilio's own words."""
        reason = self.env._(
            "%(readable)s (Twilio error %(code)s: %(detail)s)",
            readable=readable,
            code=code,
            detail=detail,
        )
        return error_class(reason, code=code, **kwargs)

    # ------------------------------------------------------------------
    # delivery statuses
    # ------------------------------------------------------------------

    @staticmethod
    def state_of(status):
        """Our state for a Twilio status, or None."""
        return STATUS.get(status)

    def delivery_error_reason(self, status, code, readable=None):
        """Why a message was not delivered; ``readable`` overrides the SMS texts."""
        _ = self.env._
        readable = readable or {
            "30001": _("Twilio's queue for the sender overflowed."),
            "30003": _("The phone is unreachable (switched off or out of coverage)."),
            "30005": _("The number is unknown or no longer exists."),
            "30006": _("The number is a landline or its carrier cannot receive SMS."),
            "30007": _("The carrier filtered the message (content or sender)."),
            "30008": _("The carrier reported an unknown error."),
            "30036": _("Not sent in time: the validity period expired."),
        }.get(code or "")
        return _(
            "Not delivered (%(status)s, Twilio error %(code)s): %(readable)s",
            status=status,
            code=code or "-",
            readable=readable or _("no details given."),
        )

    # ------------------------------------------------------------------
    # webhooks
    # ------------------------------------------------------------------

    @staticmethod
    def signed_companies(env, httprequest, logger=_logger):
        """The companies whose Twilio account signed ``httprequest`` (usually one), or None.

        The signature covers the URL Twilio called: the configured webhook URL
        plus this path, whatever address this request reached us by. Refusals
        are logged on ``logger`` (the controller's).
        """
        signature = httprequest.headers.get("X-Twilio-Signature")
        account = httprequest.form.get("AccountSid")
        if not signature or not account:
            logger.warning(
                "Twilio webhook %s without signature or account refused", httprequest.path
            )
            return None
        Company = env["res.company"].sudo()
        companies = Company.search([("sms_twilio_account_sid", "=", account)]).filtered(
            "sms_twilio_auth_token"
        )
        url = Company._notify_twilio_webhook_url() + httprequest.path
        if httprequest.query_string:
            url += "?" + httprequest.query_string.decode()
        signed = companies.filtered(
            lambda company: RequestValidator(company.sms_twilio_auth_token).validate(
                url, httprequest.form, signature
            )
        )
        if not signed:
            logger.warning(
                "Twilio webhook with an invalid signature refused: expected it signed for %s "
                "(the webhook URL in Settings > Notifications > SMS)",
                url,
            )
            return None
        return signed
