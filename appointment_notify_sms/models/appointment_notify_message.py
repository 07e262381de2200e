import logging
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.appointment_notify.models.appointment_notify_message import NotifySendError

from ..tools.netgsm_client import CONSENT_OFF_STATUS, IYS_SOURCE, NetgsmClient
from ..tools.phone import normalize_mobile
from ..tools.sms_encoding import netgsm_segments, sms_segments
from ..tools.twilio_client import MAX_VALIDITY, OPT_OUT_SOURCE, TwilioClient

_logger = logging.getLogger(__name__)

STATUS_PATH = "/appointment_notify_sms/status"


class AppointmentNotifyMessage(models.Model):
    _inherit = "appointment.notify.message"

    channel = fields.Selection(selection_add=[("sms", "SMS")], ondelete={"sms": "cascade"})
    sms_segment_count = fields.Integer(
        string="SMS segments",
        compute="_compute_sms_segment_count",
        store=True,
        help="What the text as sent is billed as: 160/153 GSM-7 or 70/67 Unicode "
        "characters per segment (NetGSM with Turkish characters: 155/149).",
    )

    sms_provider = fields.Selection(
        [("twilio", "Twilio"), ("netgsm", "NetGSM")],
        string="SMS provider",
        readonly=True,
        help="The provider this SMS was handed to (the company's at the time).",
    )

    @api.depends("channel", "body", "sms_provider")
    def _compute_sms_segment_count(self):
        for message in self:
            if message.channel != "sms" or not message.body:
                message.sms_segment_count = 0
                continue
            company = message.company_id.sudo()
            provider = message.sms_provider or company.notify_sms_provider
            if provider == "netgsm":
                turkish = company.notify_netgsm_encoding == "TR"
                message.sms_segment_count = netgsm_segments(message.body, turkish)[2]
            else:
                message.sms_segment_count = sms_segments(message.body)[2]

    # ------------------------------------------------------------------
    # dispatcher hooks
    # ------------------------------------------------------------------

    def _is_test_mode(self):
        # No account at the company's provider: render and log, nothing leaves the machine.
        if self.channel == "sms" and not self.company_id._notify_sms_has_account():
            return True
        return super()._is_test_mode()

    def _check_consent_and_destination(self):
        res = super()._check_consent_and_destination()
        if self.channel == "sms" and self.is_test:
            # The typed number of "Send a test" is normalised like a customer's.
            self.destination = self._normalize_number(self.destination)
        return res

    def _get_destination(self):
        if self.channel != "sms":
            return super()._get_destination()
        return self._normalize_number(self._partner_number())

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
        """Prepare the call to the company's SMS provider; return it as a plain callable."""
        company = self.company_id.sudo()
        self.sms_provider = company.notify_sms_provider
        if company.notify_sms_provider == "netgsm":
            return self._transmit_sms_netgsm()
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
            "StatusCallback": self._provider_callback_url(STATUS_PATH),
            **sender,
        }
        validity = self._sms_validity_period()
        if validity:
            data["ValidityPeriod"] = str(validity)
        client = TwilioClient(self.env, company)
        return client.transmission(data, tuple(sender.values()), company.notify_sms_rate)

    def _finish_sms(self, response):
        if self.sms_provider == "netgsm":
            return self._finish_sms_netgsm(response)
        client = TwilioClient(self.env, self.company_id)
        return client.answer(
            response, lambda status, payload: client.api_error(status, payload, self.destination)
        )

    def _transmit_sms_netgsm(self):
        """NetGSM: the company's registered header; a review request is commercial (İYS)."""
        company = self.company_id.sudo()
        if not company.notify_netgsm_header:
            raise NotifySendError(
                self.env._(
                    "No NetGSM header (başlık) is set: enter the sender name registered at "
                    "NetGSM in Settings > Notifications > SMS."
                )
            )
        client = NetgsmClient(self.env, company)
        commercial = bool(self.rule_id.non_service)
        return client.transmission(self.destination, self.body, commercial, company.notify_sms_rate)

    def _finish_sms_netgsm(self, response):
        return NetgsmClient(self.env, self.company_id).answer(response, self.destination)

    @api.model
    def _cron_netgsm_status(self):
        """Apply NetGSM's delivery reports: one query per batch of pending SMS, none if none.

        Per account at most ``netgsm_report_queries`` (5) queries of
        ``netgsm_report_batch`` (500) job ids a run, under NetGSM's 10 a minute;
        SMS sent more than 3 days ago are no longer asked about.
        """
        batch = max(self._sms_param_int("netgsm_report_batch", 500), 1)
        queries = max(self._sms_param_int("netgsm_report_queries", 5), 1)
        since = fields.Datetime.now() - timedelta(days=3)
        pending = self.sudo().search(
            [
                ("channel", "=", "sms"),
                ("sms_provider", "=", "netgsm"),
                ("state", "=", "sent"),
                ("provider_ref", "!=", False),
                ("create_date", ">=", since),
            ],
            order="id",
        )
        for company, messages in pending.grouped("company_id").items():
            client = NetgsmClient(self.env, company)
            if not client.has_account():
                continue
            for start in range(0, min(len(messages), batch * queries), batch):
                chunk = messages[start : start + batch]
                try:
                    statuses = client.report(chunk.mapped("provider_ref"))
                except (NotifySendError, requests.exceptions.RequestException) as exc:
                    _logger.warning("NetGSM report for %s failed: %s", company.name, exc)
                    break
                for message in chunk:
                    status, _error = statuses.get(message.provider_ref, (None, None))
                    if status is not None:
                        message._sms_apply_netgsm_status(client, status)

    def _sms_apply_netgsm_status(self, client, status):
        """One NetGSM report status; İYS refusal (16) turns non-service consent off."""
        new_state = client.state_of(status)
        reason = client.delivery_error_reason(status) if new_state == "failed" else None
        changed = self._apply_delivery_state(new_state, reason=reason, ref=self.provider_ref)
        if changed and status in CONSENT_OFF_STATUS and self.partner_id.notify_consent_marketing:
            self.partner_id.sudo().with_context(
                notify_consent_source=IYS_SOURCE
            ).notify_consent_marketing = False
        return changed

    def _handle_send_error(self, exc, now):
        res = super()._handle_send_error(exc, now)
        source = getattr(exc, "consent_off_source", None)
        if source is None and getattr(exc, "code", None) == 21610:
            source = OPT_OUT_SOURCE
        if source and self.channel == "sms":
            # Outside the send's savepoint, so the opt-out survives the failure.
            self.partner_id.sudo().with_context(
                notify_consent_source=source
            ).notify_consent_sms = False
        return res

    # ------------------------------------------------------------------
    # helpers shared by the phone channels (SMS, WhatsApp)
    # ------------------------------------------------------------------

    def _partner_number(self):
        number = self.partner_id._notify_sms_number()
        if not number:
            raise NotifySendError(
                self.env._("%s has no mobile or phone number.", self.partner_id.display_name)
            )
        return number

    def _normalize_number(self, number, mobile_only=True):
        """E.164 of ``number`` (customer's country, else the company's), or fail.

        ``mobile_only``: refuse landlines (SMS); WhatsApp Business may run on one.
        """
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
        if problem == "not_mobile" and mobile_only:
            raise NotifySendError(
                self.env._(
                    "The number %(number)r of %(customer)s is a landline or another "
                    "number that cannot receive SMS.",
                    number=number,
                    customer=self.partner_id.display_name,
                )
            )
        return e164

    def _provider_callback_url(self, path):
        # The message id in the path finds the row even before the dispatcher
        # committed its provider id (a fast callback waits for that commit).
        return f"{self.env['res.company']._notify_twilio_webhook_url()}{path}/{self.id}"

    def _sms_validity_period(self):
        """Reminders: seconds Twilio may keep the message queued, never past the start.

        min(time left before the appointment, the configured cap (default 4 h,
        Twilio allows up to 10 h)), at least 1 s. Other messages: Twilio's default.
        """
        if self.trigger != "reminder" or not self.deadline_at:
            return None
        cap = self._sms_param_int("validity_max_seconds", 14400)
        cap = min(max(cap, 1), MAX_VALIDITY)
        left = int((self.deadline_at - fields.Datetime.now()).total_seconds())
        return max(1, min(left, cap))

    def _sms_param_int(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(f"appointment_notify_sms.{key}")
        try:
            return int(value) if value else default
        except ValueError:
            return default

    def _sms_apply_status(self, status, error_code=None, sid=None):
        """Apply a Twilio status callback of an SMS."""
        client = TwilioClient(self.env, self.company_id)
        new_state = client.state_of(status)
        reason = None
        if new_state == "failed":
            reason = client.delivery_error_reason(status, error_code)
        return self._apply_delivery_state(new_state, reason=reason, ref=sid)

    def _apply_delivery_state(self, new_state, reason=None, ref=None):
        """Apply a provider's delivery status; applying the same one twice changes nothing.

        A late 'sent' never overwrites 'delivered' and nothing reopens a final state.
        """
        self.ensure_one()
        # Wait for the dispatcher that may still hold this row (it commits the id).
        self.env.cr.execute(
            SQL(
                "SELECT id FROM appointment_notify_message WHERE id = %s FOR NO KEY UPDATE", self.id
            )
        )
        if self.state in ("scheduled", "sending") and not self.provider_ref:
            # An attempt whose answer never reached us (a timeout the provider
            # did accept): it cannot be matched to this message's outcome.
            _logger.warning("Status of %s ignored: message %s has no known send", ref, self.id)
            return False
        if ref and self.provider_ref and ref != self.provider_ref:
            _logger.warning(
                "Status of %s ignored: message %s is %s", ref, self.id, self.provider_ref
            )
            return False
        if not new_state or self.state not in ("sending", "sent") or self.state == new_state:
            return False
        vals = {"state": new_state}
        if new_state == "failed":
            vals["reason"] = reason
        self.write(vals)
        if new_state == "failed":
            self._log_in_chatter()
        return True
