"""NetGSM's SMS API (REST v2), the SMS provider for Turkey.

https://www.netgsm.com.tr/dokuman/ (REST v2): HTTP Basic auth with the
account's user code and password;

- ``POST /sms/rest/v2/send`` ``{"msgheader", "encoding": "TR", "iysfilter",
  "messages": [{"msg", "no"}]}`` answers ``{"code": "00", "jobid": ...}`` or
  an error code (below);
- ``POST /sms/rest/v2/report`` ``{"jobids": [...]}`` answers
  ``{"code": "00", "jobs": [{"jobid", "status", ...}]}``, "60" when none is
  known yet; at most 10 queries a minute (code 80). NetGSM pushes nothing to
  us: delivery statuses are queried, by a cron, in one call for everything
  pending.

A plain class like ``twilio_client``: no ORM in the transmission it returns.
"""

import base64
import logging

import requests

from odoo.addons.appointment_notify.models.appointment_notify_message import NotifySendError

from .throttle import reserve_turn, sleep_until, wait_turn

_logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.netgsm.com.tr"
API_URL_PARAM = "appointment_notify_sms.netgsm_api_url"
SEND_PATH = "/sms/rest/v2/send"
REPORT_PATH = "/sms/rest/v2/report"
TIMEOUT = 10  # seconds
APPNAME = "appointment_notify"
IYS_SOURCE = "NetGSM: İYS refusal"

# Answers of the send call meaning "queued" (01/02: the legacy API's notes on
# the start/stop dates; the message is queued all the same).
SENT_CODES = {"00", "01", "02"}
# Answers worth trying again later: limits and NetGSM's own system errors.
RETRY_CODES = {"80", "85", "100", "101"}
# Report status -> our state ("0": still waiting at the operator).
REPORT_STATE = {
    "0": None,
    "1": "delivered",
    "2": "failed",
    "3": "failed",
    "4": "failed",
    "11": "failed",
    "12": "failed",
    "13": "failed",
    "14": "failed",
    "15": "failed",
    "16": "failed",
    "17": "failed",
}
# The customer refused commercial messages in İYS: their consent goes off.
CONSENT_OFF_STATUS = {"16"}
# iysfilter: "0" information (service) message, "11" commercial to an individual.
IYS_SERVICE = "0"
IYS_COMMERCIAL = "11"


class NetgsmSendError(NotifySendError):
    """A refused send, with NetGSM's answer code."""

    def __init__(self, reason, code=None, **kwargs):
        super().__init__(reason, **kwargs)
        self.code = code


def gsm_number(e164):
    """NetGSM's ``no``: 905xxxxxxxxx for Turkey, 00 + country code abroad."""
    digits = (e164 or "").lstrip("+")
    return digits if digits.startswith("90") else f"00{digits}"


class NetgsmClient:
    """The NetGSM account of ``company`` (sudo), speaking for ``env``'s language."""

    def __init__(self, env, company):
        self.env = env
        self.company = company.sudo()
        self.usercode = self.company.notify_netgsm_usercode
        self.password = self.company.notify_netgsm_password

    def has_account(self):
        return bool(self.usercode and self.password)

    def api_url(self):
        url = self.env["ir.config_parameter"].sudo().get_param(API_URL_PARAM)
        return (url or DEFAULT_API_URL).rstrip("/")

    def _headers(self):
        token = base64.b64encode(f"{self.usercode}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    # ------------------------------------------------------------------
    # sending
    # ------------------------------------------------------------------

    def transmission(self, destination, body, commercial, rate):
        """A plain callable sending one SMS; throttled per account and header like Twilio's."""
        header = self.company.notify_netgsm_header
        payload = {
            "msgheader": header,
            "iysfilter": IYS_COMMERCIAL if commercial else IYS_SERVICE,
            "appname": APPNAME,
            "messages": [{"msg": body or "", "no": gsm_number(destination)}],
        }
        if self.company.notify_netgsm_encoding == "TR":
            payload["encoding"] = "TR"
        url = self.api_url() + SEND_PATH
        headers = self._headers()
        throttle_key = ("netgsm", self.usercode, header)
        not_before = reserve_turn(throttle_key, rate)

        def transmit():
            sleep_until(not_before)
            wait_turn(throttle_key, rate)
            return requests.post(url, json=payload, headers=headers, timeout=TIMEOUT)

        transmit.not_before = not_before
        return transmit

    def answer(self, response, destination):
        """NetGSM's answer (or the exception of the call) -> the job id, or a mapped error."""
        _ = self.env._
        if isinstance(response, requests.exceptions.RequestException):
            raise NotifySendError(
                _("NetGSM could not be reached: %s", response), retry=True
            ) from response
        if isinstance(response, BaseException):
            raise response
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        code = str(payload.get("code") or "") if isinstance(payload, dict) else ""
        if code in SENT_CODES and payload.get("jobid"):
            return str(payload["jobid"])
        if not code and response.status_code >= 500:
            raise NetgsmSendError(
                _("NetGSM is unavailable (HTTP %s).", response.status_code), retry=True
            )
        raise self.api_error(code, payload, destination, response.status_code)

    def api_error(self, code, payload, destination, status=200):
        """NetGSM's answer code -> a NetgsmSendError telling whether to retry."""
        _ = self.env._
        header = self.company.notify_netgsm_header
        readable = {
            "20": _(
                "NetGSM refused the text (code 20): it is empty, contains characters it "
                "cannot send or is longer than the maximum message length."
            ),
            "30": _(
                "NetGSM refused the user code or password (code 30), or API access is off "
                "for the account, or this server's IP address is not allowed: check "
                "Settings > Notifications > SMS and the API settings at NetGSM."
            ),
            "40": _(
                "NetGSM does not know the header (başlık) %r (code 40): enter a header "
                "registered for this account in Settings > Notifications > SMS.",
                header,
            ),
            "50": _(
                "The NetGSM account cannot send İYS-checked (commercial) messages "
                "(code 50): a review request needs an account registered with İYS."
            ),
            "51": _(
                "No İYS brand code is registered for the NetGSM account (code 51): "
                "commercial messages such as review requests need one."
            ),
            "70": _(
                "NetGSM found a parameter invalid or missing (code 70): check the "
                "number %s and the header.",
                destination,
            ),
            "80": _("NetGSM's sending limit was reached (code 80): retried later."),
            "85": _(
                "NetGSM refused a duplicate: more than 20 messages to %s within a minute "
                "(code 85); retried later.",
                destination,
            ),
            "100": _("NetGSM had a system error (code 100): retried later."),
            "101": _("NetGSM had a system error (code 101): retried later."),
        }.get(code)
        if not readable:
            readable = _(
                "NetGSM refused the message (HTTP %(status)s, answer %(answer)s).",
                status=status,
                answer=code or payload or "-",
            )
        return NetgsmSendError(readable, code=code or None, retry=code in RETRY_CODES)

    # ------------------------------------------------------------------
    # delivery reports (queried)
    # ------------------------------------------------------------------

    def report(self, jobids):
        """{jobid: (status, errorcode)} of ``jobids`` in one query; {} if none known yet.

        Raises NetgsmSendError if NetGSM refuses the query (credentials, limit).
        """
        url = self.api_url() + REPORT_PATH
        body = {"jobids": list(jobids), "pagenumber": 0, "pagesize": max(len(jobids), 1)}
        response = requests.post(url, json=body, headers=self._headers(), timeout=TIMEOUT)
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        code = str(payload.get("code") or "")
        if code == "60":
            return {}
        if code != "00":
            raise self.api_error(code, payload, "-", response.status_code)
        return {
            str(job.get("jobid")): (str(job.get("status")), job.get("errorCode"))
            for job in payload.get("jobs") or []
        }

    @staticmethod
    def state_of(status):
        """Our state for a report status ('0' and unknown ones: no change)."""
        return REPORT_STATE.get(status)

    def delivery_error_reason(self, status):
        _ = self.env._
        readable = {
            "2": _("Not sent in time: the validity period expired."),
            "3": _("The number is invalid or barred."),
            "4": _("NetGSM could not hand the message to the operator."),
            "11": _("The operator refused the message."),
            "12": _("The operator could not deliver the message."),
            "13": _("NetGSM dropped it as a duplicate."),
            "14": _("The NetGSM account has no credit left, or the number is blacklisted."),
            "15": _("The number is on NetGSM's blacklist."),
            "16": _(
                "The customer refused commercial messages in İYS: non-service consent "
                "was turned off."
            ),
            "17": _("İYS could not be checked for this commercial message."),
        }.get(status)
        return _(
            "Not delivered (NetGSM status %(status)s): %(readable)s",
            status=status,
            readable=readable or _("no details given."),
        )
