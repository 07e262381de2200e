from datetime import timedelta
from urllib.parse import urlencode

import pytz
from babel import dates as babel_dates

from odoo import fields, http
from odoo.http import request
from odoo.tools import config
from odoo.tools.misc import babel_locale_parse, get_lang

from odoo.addons.appointment_notify_booking.models.appointment_notify_service import (
    BookingUnavailable,
)

MANAGE = "/appointment_notify/manage/<string:token>"


class ManageLinkController(http.Controller):
    """The customer's page behind the signed link. The token is checked before
    anything is read as superuser; GET only shows, the actions are CSRF POSTs."""

    # ------------------------------------------------------------------
    # routes
    # ------------------------------------------------------------------

    @http.route(MANAGE, type="http", auth="public", methods=["GET"], sitemap=False)
    def manage_page(self, token, after=None, done=None, **kwargs):
        event, partner = self._from_token(token)
        if not event:
            return self._not_found()
        if event._name != "calendar.event":
            return self._render_readonly(event, partner)
        start = self._parse_utc(after)
        if start:  # "later times": the ones after the last start shown
            start += timedelta(minutes=1)
        return self._render(event, partner, token, slots_from=start, done=done)

    @http.route(
        MANAGE + "/confirm", type="http", auth="public", methods=["POST"], csrf=True, sitemap=False
    )
    def manage_confirm(self, token, **kwargs):
        event, partner = self._from_token(token, appointments_only=True)
        if not event:
            return self._not_found()
        if not event._notify_manage_confirm(partner, self._origin()):
            return self._render(event, partner, token, error="confirm")
        return request.redirect(f"/appointment_notify/manage/{token}?done=confirmed", 303)

    @http.route(
        MANAGE + "/cancel", type="http", auth="public", methods=["POST"], csrf=True, sitemap=False
    )
    def manage_cancel(self, token, reason="", **kwargs):
        event, partner = self._from_token(token, appointments_only=True)
        if not event:
            return self._not_found()
        reason = (reason or "").strip()[:500]
        if not event._notify_manage_cancel(partner, reason, self._origin()):
            return self._render(event, partner, token, error="cancel")
        return request.redirect(f"/appointment_notify/manage/{token}?done=cancelled", 303)

    @http.route(
        MANAGE + "/reschedule",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=True,
        sitemap=False,
    )
    def manage_reschedule(self, token, start=None, **kwargs):
        event, partner = self._from_token(token, appointments_only=True)
        if not event:
            return self._not_found()
        start = self._parse_utc(start)
        if not start:
            return self._render(event, partner, token, error="no_slot")
        try:
            moved = event._notify_manage_reschedule(partner, start, self._origin())
        except BookingUnavailable as error:
            return self._render(
                event, partner, token, error="taken", slots=error.alternatives, status=409
            )
        if not moved:
            return self._render(event, partner, token, error="reschedule")
        return request.redirect(f"/appointment_notify/manage/{token}?done=rescheduled", 303)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    @staticmethod
    def _from_token(token, appointments_only=False):
        record, partner = request.env["appointment.notify.mixin"]._notify_manage_from_token(token)
        if appointments_only and record and record._name != "calendar.event":
            return None, None  # other records have a read-only page: no action
        return record, partner

    @staticmethod
    def _origin():
        return request.httprequest.remote_addr or ""

    @staticmethod
    def _parse_utc(value):
        """'YYYY-MM-DD HH:MM:SS' (naive UTC) or None for anything else."""
        if not value:
            return None
        try:
            return fields.Datetime.to_datetime(value)
        except ValueError:
            return None

    @staticmethod
    def _slot_choices(slots, tz, lang):
        locale = babel_locale_parse(lang)
        zone = pytz.timezone(tz or "UTC")
        choices = []
        for slot in slots:
            local = pytz.utc.localize(slot.start).astimezone(zone)
            choices.append(
                {
                    "value": fields.Datetime.to_string(slot.start),
                    "day": babel_dates.format_date(local, "full", locale=locale),
                    "label": babel_dates.format_time(local, "short", locale=locale),
                }
            )
        return choices

    def _not_found(self):
        """One page for tampered, expired and foreign links: it names nothing."""
        lang = get_lang(request.env).code
        html = (
            request.env["ir.ui.view"]
            .sudo()
            .with_context(lang=lang)
            ._render_template("appointment_notify_links.manage_page_invalid", {})
        )
        return request.make_response(
            html, headers=[("Content-Type", "text/html; charset=utf-8")], status=404
        )

    def _render_readonly(self, record, partner):
        """The status page of a record the customer cannot change (a repair order)."""
        lang = partner.lang or record._notify_company().partner_id.lang
        lang = lang or get_lang(request.env).code
        ctx = record.with_context(lang=lang)._notify_render_context(partner)
        company = ctx["company"]
        values = {
            **ctx,
            "record": record.with_context(lang=lang),
            "partner": partner,
            "contact": " / ".join(filter(None, [company.phone, company.email])) or company.name,
            "tour_assets": self._tour_assets(),
        }
        html = (
            request.env["ir.ui.view"]
            .sudo()
            .with_context(lang=lang)
            ._render_template(record._notify_manage_page, values)
        )
        return self._page_response(html)

    @staticmethod
    def _tour_assets():
        """Browser tests only: the page is asset-free for customers, but a tour
        needs the frontend's JavaScript (test mode and ``?debug=tests``)."""
        return bool(config["test_enable"]) and "tests" in (request.session.debug or "")

    @staticmethod
    def _page_response(html, status=200):
        return request.make_response(
            html,
            headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                # Personal data: never cached, never sent on as a referrer.
                ("Cache-Control", "no-store"),
                ("Referrer-Policy", "no-referrer"),
                ("X-Robots-Tag", "noindex"),
            ],
            status=status,
        )

    def _render(
        self,
        event,
        partner,
        token,
        *,
        slots=None,
        slots_from=None,
        done=None,
        error=None,
        status=200,
    ):
        lang = partner.lang or event._notify_company().partner_id.lang or get_lang(request.env).code
        event = event.with_context(lang=lang)
        tz = event._notify_timezone(partner)
        ctx = event._notify_render_context(partner)
        may = {
            action: event._notify_manage_may(action)
            for action in ("confirm", "cancel", "reschedule")
        }
        if slots is None and may["reschedule"]:
            slots = event._notify_manage_slots(slots_from)
        slot_choices, days = self._slot_choices(slots or [], tz, lang), []
        for choice in slot_choices:  # grouped by the customer's day
            if not days or days[-1]["label"] != choice["day"]:
                days.append({"label": choice["day"], "slots": []})
            days[-1]["slots"].append(choice)
        company = ctx["company"]
        action_url = f"/appointment_notify/manage/{token}"
        later_url = (
            slot_choices and f"{action_url}?{urlencode({'after': slot_choices[-1]['value']})}"
        )
        values = {
            "event": event,
            "partner": partner,
            "company": company,
            "contact": " / ".join(filter(None, [company.phone, company.email])) or company.name,
            "when": ctx["when"],
            "service": ctx.get("service", ""),
            "staff": ctx.get("staff", ""),
            "location": ctx.get("location", ""),
            "status": ctx["status"],
            "is_open": event._notify_manage_is_open(),
            "attending": "accepted"
            in event.attendee_ids.filtered(lambda a: a.partner_id == partner).mapped("state"),
            "may": may,
            "cancel_deadline": event._notify_format_when(
                event._notify_manage_deadline("cancel"), tz, lang
            ),
            "reschedule_deadline": event._notify_format_when(
                event._notify_manage_deadline("reschedule"), tz, lang
            ),
            "slots": slot_choices,
            "slot_days": days,
            "later_url": later_url,
            "action_url": action_url,
            "done": done if done in ("confirmed", "cancelled", "rescheduled") else None,
            "error": error,
            "tour_assets": self._tour_assets(),
        }
        html = (
            request.env["ir.ui.view"]
            .sudo()
            .with_context(lang=lang)
            ._render_template("appointment_notify_links.manage_page", values)
        )
        return self._page_response(html, status)
