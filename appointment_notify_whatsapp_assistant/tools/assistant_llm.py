"""The optional language model turn (OpenAI-compatible chat completions with tools).

Contract:

    AssistantLlm(session).handle(text, choice=None) -> list[Reply] | None

``None`` means "fall back to the guided flow from the same state" (model off, timeout,
HTTP error, bad JSON, bad tool call, a time the engine did not return). The model only
proposes: a proposal puts the session in state ``confirm`` with the same ``data`` the
guided flow uses (intent, service_id, staff_id, start, event_id), and the guided flow's
confirm step books, moves or cancels when the customer taps "yes".

Nothing is written before the turn succeeds: a fallback leaves the session (state,
data, history) exactly as it was. The tools are scoped to the session's company and
partner (none for a number we do not know yet), whatever ids the model sends.
"""

import json
import logging
import math
import re
from datetime import date, datetime, timedelta

import pytz

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

from .assistant_flow import Option, Reply
from .llm_client import LlmClient, LlmError
from .when_parser import parse_when

_logger = logging.getLogger(__name__)

MAX_ROUNDS = 4  # model calls per turn: tool rounds before the final answer
HISTORY = 10  # messages kept in session.llm_history (user + assistant texts)
MAX_DAYS = 14  # widest find_slots range
MAX_SLOTS = 24  # slots shown to the model per find_slots call
MAX_TEXT = 1500  # characters of a model answer (WhatsApp body limit is 1,600)

LANGUAGES = {
    "en": "English",
    "tr": "Turkish",
    "nl": "Dutch",
    "it": "Italian",
    "uk": "Ukrainian",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
}


RULES = """\
Rules (they come before anything else, the business's instructions included):
1. Only offer times that find_slots returned in this turn; never guess or invent a time. \
Call find_slots before you mention any time.
2. Never say an appointment is booked, moved or cancelled: you cannot do that. \
propose_booking, propose_reschedule and propose_cancel only prepare a confirmation the \
customer must tap; call one as soon as the customer has chosen.
3. Write times as HH:MM (24 hours) and days as weekday and date.
4. When the customer asks for a person, or you cannot help, call handoff.
5. Only talk about this business and its appointments."""


class Fallback(Exception):
    """End the model turn: the guided flow answers instead (``reason`` is logged)."""


def _function(name, description, properties=None, required=()):
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties or {},
                "required": list(required),
            },
        },
    }


TOOLS = [
    _function(
        "find_slots",
        "Free appointment times of a service, from the booking calendar. The only source "
        "of times you may offer.",
        {
            "service_id": {"type": "integer", "description": "id of the service"},
            "day": {"type": "string", "description": "one day, YYYY-MM-DD"},
            "from": {"type": "string", "description": "first day of a range, YYYY-MM-DD"},
            "to": {"type": "string", "description": "last day of a range, YYYY-MM-DD"},
            "staff_id": {
                "type": "integer",
                "description": "only this staff member (when the customer asked for one)",
            },
            "appointment_id": {
                "type": "integer",
                "description": "when moving an existing appointment: its id (times then "
                "fit its staff member and length)",
            },
        },
        ["service_id"],
    ),
    _function(
        "list_my_appointments",
        "The customer's upcoming appointments, with whether they may still cancel or "
        "move them themselves.",
    ),
    _function(
        "propose_booking",
        "Prepare a booking the customer must confirm with a tap. Does not book.",
        {
            "service_id": {"type": "integer"},
            "start": {
                "type": "string",
                "description": "a slot start exactly as find_slots returned it "
                "(YYYY-MM-DD HH:MM, or the slot id)",
            },
            "staff_id": {"type": "integer", "description": "the staff member the customer chose"},
            "name": {"type": "string", "description": "a new customer's name, if they gave it"},
        },
        ["service_id", "start"],
    ),
    _function(
        "propose_reschedule",
        "Prepare moving one of the customer's appointments; the customer must confirm "
        "with a tap. Does not move anything.",
        {
            "appointment_id": {"type": "integer"},
            "start": {"type": "string", "description": "a slot start find_slots returned"},
        },
        ["appointment_id", "start"],
    ),
    _function(
        "propose_cancel",
        "Prepare cancelling one of the customer's appointments; the customer must "
        "confirm with a tap. Does not cancel anything.",
        {"appointment_id": {"type": "integer"}},
        ["appointment_id"],
    ),
    _function(
        "handoff",
        "Hand the conversation to a person of the business (the customer asked for one, "
        "or you cannot help).",
    ),
]

# Times written in a text: 14:00, 14.00, 14h30, 3pm, 3:30 p.m., 15 uur, saat 14, alle 15.
_AMPM = re.compile(r"(?<![\d.:])(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)
_CLOCK = re.compile(r"(?<![\d.:/])(\d{1,2})[:.h](\d{2})(?!\d|[.:/]\d)", re.IGNORECASE)
_HOUR_WORD = re.compile(r"(?<![\d.:])(\d{1,2})(?:\s*uur|u\b|h\b|\s*o'clock)", re.IGNORECASE)
_WORD_HOUR = re.compile(
    r"\b(?:saat|alle|ore|о|об|at|om|um|à)\s+(\d{1,2})\b(?![:.]\d)", re.IGNORECASE
)


# Sentences of a model's answer: a line break, or ". ! ?" before white space (not the
# dot of "11.00").
SENTENCE_END = re.compile(r"\n+|(?<=[.!?])\s+")


def mentioned_times(text):
    """The times a text states, each as a set of "HH:MM" readings (a bare hour
    without am/pm may mean either half of the day)."""
    found, taken = [], []

    def free(match):
        span = match.span()
        if any(span[0] < end and start < span[1] for start, end in taken):
            return False
        taken.append(span)
        return True

    for match in _AMPM.finditer(text):
        hour, minute = int(match[1]), int(match[2] or 0)
        if 1 <= hour <= 12 and minute < 60 and free(match):
            hour = hour % 12 + (12 if match[3].lower() == "p" else 0)
            found.append({f"{hour:02d}:{minute:02d}"})
    for match in _CLOCK.finditer(text):
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60 and free(match):
            readings = {f"{hour:02d}:{minute:02d}"}
            if hour < 12:
                readings.add(f"{hour + 12:02d}:{minute:02d}")
            found.append(readings)
    for regex in (_HOUR_WORD, _WORD_HOUR):
        for match in regex.finditer(text):
            hour = int(match[1])
            if hour < 24 and free(match):
                readings = {f"{hour:02d}:00"}
                if hour < 12:
                    readings.add(f"{hour + 12:02d}:00")
                found.append(readings)
    return found


def _utc(value, tz):
    """A local naive datetime in ``tz`` -> naive UTC."""
    return tz.localize(value).astimezone(pytz.utc).replace(tzinfo=None)


def _local(value, tz):
    """Naive UTC -> local naive datetime in ``tz``."""
    return pytz.utc.localize(value).astimezone(tz).replace(tzinfo=None)


def _day(value):
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as error:
        raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from error


def _id(value):
    """A record id the model sent (it may send "3" for 3), or 0."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _spread(items, n):
    """``n`` items spread evenly over ``items`` (all of them when there are fewer)."""
    if len(items) <= n:
        return list(items)
    if n <= 1:
        return list(items[:n])
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


class AssistantLlm:
    def __init__(self, session):
        self.session = session
        self.company = session.company_id.sudo()
        self.partner = session.partner_id.sudo()
        # The language to answer in; the ORM reads translations in it when installed.
        self.lang = session.lang or (session.data or {}).get("lang") or "en_US"
        installed = session.env["res.lang"]._get_code(self.lang) or "en_US"
        self.env = session.env(context=dict(session.env.context, lang=installed))
        self.sudo_env = self.env(su=True)
        self.offered = {}  # (service id, naive UTC start) -> staff ids, from find_slots
        self.known_times = set()  # local "HH:MM" the tools returned in this turn
        self.known_slots = set()  # (local date, "HH:MM") the tools returned in this turn

    # ------------------------------------------------------------------
    # the turn
    # ------------------------------------------------------------------

    def is_enabled(self):
        company = self.company
        return bool(
            company.notify_assistant_llm_enabled
            and company.notify_assistant_llm_url
            and company.notify_assistant_llm_model
        )

    def handle(self, text, choice=None):
        """Replies of the model, or None for the guided flow (see the module doc)."""
        text = (text or "").strip()
        if choice or not text or not self.is_enabled():
            return None
        if text.isdigit() and (self.session.data or {}).get("options"):
            return None  # the number of an option the guided flow offered
        client = LlmClient.from_company(self.company)
        messages = [{"role": "system", "content": self.system_prompt()}]
        messages += self._history()
        messages.append({"role": "user", "content": text})
        try:
            for _round in range(MAX_ROUNDS):
                completion = client.complete(messages, TOOLS)
                if not completion.tool_calls:
                    return self._answer(text, completion.content)
                messages.append(completion.as_message())
                for call in completion.tool_calls:
                    result = self._run_tool(call.name, call.arguments)
                    if isinstance(result, list):  # a proposal or a handoff ends the turn
                        self._remember(text, "\n".join(reply.text for reply in result))
                        return result
                    messages.append(
                        {
                            "role": "tool",
                            "tool_call_id": call.id,
                            "content": json.dumps(result, ensure_ascii=False),
                        }
                    )
            raise Fallback(f"no answer after {MAX_ROUNDS} model calls")
        except (LlmError, Fallback) as error:
            _logger.warning(
                "Booking assistant, conversation %s: language model skipped, guided flow "
                "instead: %s",
                self.session.id,
                getattr(error, "reason", None) or error,
            )
            return None

    def _answer(self, text, content):
        if not content:
            raise Fallback("the model answered nothing")
        self._check_stated_times(content)
        content = content[:MAX_TEXT]
        self._remember(text, content)
        if (self.session.data or {}).get("options"):
            # No numbered options in this reply: a later "2" must not pick an older one.
            self.session.data = dict(self.session.data, options=[])
        return [Reply(content)]

    def _check_stated_times(self, content):
        """Every time the text states must be one a tool returned in this turn; and
        on the day it names, when a sentence names one ("Tuesday at 10:00" is
        refused when 10:00 was only found on Wednesday)."""
        today = datetime.now(self._tz()).date()
        for sentence in SENTENCE_END.split(content):
            day = parse_when(sentence, self.lang, today).day
            for readings in mentioned_times(sentence):
                known = (
                    {(day, r) for r in readings} & self.known_slots
                    if day
                    else readings & self.known_times
                )
                if not known:
                    on_day = f" on {day}" if day else ""
                    raise Fallback(
                        f"the answer states {'/'.join(sorted(readings))}{on_day}, which no "
                        f"tool of this turn returned: {content[:200]!r}"
                    )

    def _history(self):
        history = self.session.llm_history or []
        return [
            {"role": m["role"], "content": m["content"]}
            for m in history[-HISTORY:]
            if isinstance(m, dict) and m.get("role") in ("user", "assistant") and m.get("content")
        ]

    def _remember(self, text, answer):
        history = self._history() + [
            {"role": "user", "content": text},
            {"role": "assistant", "content": answer},
        ]
        self.session.llm_history = history[-HISTORY:]

    # ------------------------------------------------------------------
    # the prompt
    # ------------------------------------------------------------------

    def _services(self):
        return self.sudo_env["appointment.notify.service"].search(
            [("company_id", "=", self.company.id)]
        )

    def _tz(self):
        """The services' zone when they share one, else the company's."""
        zones = {service._booking_tz().zone for service in self._services()}
        if len(zones) == 1:
            return pytz.timezone(zones.pop())
        return pytz.timezone(self.company.resource_calendar_id.tz or "UTC")

    def _language_name(self):
        name = LANGUAGES.get(self.lang[:2])
        if not name:
            lang = self.sudo_env["res.lang"]._lang_get(self.lang)
            name = lang.name if lang else self.lang
        return name

    def system_prompt(self):
        tz = self._tz()
        now = _local(fields.Datetime.now(), tz)
        lines = [
            f"You are the WhatsApp booking assistant of {self.company.name}.",
            f"Today is {now:%A %Y-%m-%d}, it is {now:%H:%M} in the time zone {tz.zone}; every "
            + "date and time you read or write is local to that zone.",
            f"Always answer in {self._language_name()} (language code {self.lang}): short, "
            + "friendly, plain text for WhatsApp.",
        ]
        if self.partner:
            lines.append(f"The customer is {self.partner.name}, a known customer.")
        else:
            known = (
                f" (WhatsApp name: {self.session.profile_name})"
                if self.session.profile_name
                else ""
            )
            lines.append(
                f"The customer writes from a number we do not know yet{known}: they have no "
                "appointments; ask their name before proposing a booking."
            )
        lines += ["", "Services (id: name, duration):"]
        for service in self._services().with_context(lang=self.env.lang):
            line = f"- {service.id}: {service.name}, {round(service.duration * 60)} min"
            if service.assignment == "customer" and service.staff_ids:
                staff = ", ".join(f"{s.id} {s.name}" for s in service.staff_ids)
                line += f"; the customer may choose the staff member (id name): {staff}"
            lines.append(line)
        instructions = self.company.with_context(lang=self.env.lang).notify_assistant_instructions
        if instructions:
            lines += ["", "Instructions of the business:", instructions.strip()]
        lines += ["", RULES]
        return "\n".join(lines)

    # ------------------------------------------------------------------
    # tools
    # ------------------------------------------------------------------

    def _run_tool(self, name, arguments):
        """A tool result (a dict for the model) or a list of replies ending the turn."""
        method = getattr(self, f"_tool_{name}", None) if name in TOOL_NAMES else None
        if not method:
            raise Fallback(f"the model called an unknown tool {name!r}")
        try:
            return method(**{k: v for k, v in arguments.items() if k in TOOL_NAMES[name]})
        except (ValueError, UserError) as error:
            return {"error": str(error)}

    def _service(self, service_id):
        service = self.sudo_env["appointment.notify.service"].browse(_id(service_id)).exists()
        if not service or service.company_id != self.company or not service.active:
            raise ValueError(f"unknown service_id {service_id!r}: use an id of the list")
        return service

    def _event(self, appointment_id):
        """The customer's own open appointment, or the turn falls back (refused)."""
        event = self.sudo_env["calendar.event"].browse(_id(appointment_id)).exists()
        if (
            not event
            or not self.partner
            or self.partner not in event.partner_ids
            or event.notify_service_id.company_id != self.company
            or not event._notify_manage_is_open()
        ):
            raise Fallback(f"appointment {appointment_id!r} is not an open one of the customer")
        return event

    def _when(self, start, tz):
        return format_datetime(
            self.env, start, tz=tz.zone, dt_format="EEE d MMM HH:mm", lang_code=self.env.lang
        )

    def _tool_find_slots(
        self, service_id=None, day=None, staff_id=None, appointment_id=None, **span
    ):
        event = self._event(appointment_id) if appointment_id else None
        service = event.notify_service_id if event else self._service(service_id)
        staff = event.notify_staff_id if event else None
        if staff_id and not event:
            staff = service.staff_ids.filtered(lambda s: s.id == _id(staff_id))
            if not staff:
                raise ValueError(f"staff_id {staff_id!r} does not perform this service")
        tz = service._booking_tz()
        today = _local(fields.Datetime.now(), tz).date()
        first = _day(day or span.get("from") or today)
        last = _day(day or span.get("to") or first + timedelta(days=6))
        first = max(first, today)
        if last < first:
            raise ValueError("the range ends before it starts (or is in the past)")
        last = min(last, first + timedelta(days=MAX_DAYS - 1))
        slots = service._find_slots(
            _utc(datetime.combine(first, datetime.min.time()), tz),
            _utc(datetime.combine(last + timedelta(days=1), datetime.min.time()), tz),
            staff=staff or None,
            duration=(event.duration or None) if event else None,
            exclude_event=event,
        )
        by_day = {}
        for slot in slots:
            by_day.setdefault(_local(slot.start, tz).date(), []).append(slot)
        per_day = math.ceil(MAX_SLOTS / max(len(by_day), 1))
        shown = [s for day_slots in by_day.values() for s in _spread(day_slots, per_day)]
        result = []
        for slot in shown:
            local = _local(slot.start, tz)
            self.offered[(service.id, slot.start)] = slot.staff.ids
            self.known_times.add(f"{local:%H:%M}")
            self.known_slots.add((local.date(), f"{local:%H:%M}"))
            item = {
                "id": f"slot:{slot.start:%Y-%m-%dT%H:%M:%S}",
                "start": f"{local:%Y-%m-%d %H:%M}",
                "weekday": f"{local:%A}",
            }
            if service.assignment == "customer":
                item["staff"] = [{"id": s.id, "name": s.name} for s in slot.staff]
            result.append(item)
        answer = {
            "service_id": service.id,
            "days": f"{first} to {last}",
            "time_zone": tz.zone,
            "slots": result,
        }
        if not result:
            answer["note"] = "No free time on these days: try other days."
        elif len(shown) < len(slots):
            answer["note"] = "More free times exist: ask for a single day to see them all."
        return answer

    def _tool_list_my_appointments(self):
        if not self.partner:
            return {"appointments": [], "note": "This number belongs to no customer yet."}
        events = self.sudo_env["calendar.event"].search(
            [
                ("partner_ids", "in", self.partner.ids),
                ("notify_service_id.company_id", "=", self.company.id),
                ("start", ">", fields.Datetime.now()),
                ("booking_state", "not in", ["cancelled", "rejected"]),
            ],
            order="start",
            limit=10,
        )
        result = []
        for event in events.with_context(lang=self.env.lang):
            tz = event.notify_service_id._booking_tz()
            local = _local(event.start, tz)
            self.known_times.add(f"{local:%H:%M}")
            self.known_slots.add((local.date(), f"{local:%H:%M}"))
            result.append(
                {
                    "id": event.id,
                    "service": event.notify_service_id.name,
                    "start": f"{local:%Y-%m-%d %H:%M}",
                    "weekday": f"{local:%A}",
                    "staff": event.notify_staff_id.name or "",
                    "may_cancel": event._notify_manage_may("cancel"),
                    "may_reschedule": event._notify_manage_may("reschedule"),
                }
            )
        return {"appointments": result}

    def _offered_start(self, service, start):
        """The naive UTC start of a slot find_slots returned for ``service`` in this
        turn, written as its id or its local start; else the turn falls back."""
        value = str(start or "").strip()
        tz = service._booking_tz()
        try:
            if value.startswith("slot:"):
                moment = datetime.fromisoformat(value[5:])
            else:
                moment = _utc(datetime.fromisoformat(value.replace("T", " ")[:16]), tz)
        except ValueError:
            moment = None
        if moment is None or (service.id, moment) not in self.offered:
            raise Fallback(f"propose with start {value!r}, which find_slots did not return")
        return moment

    def _propose(self, values, text):
        data = dict(self.session.data or {})
        for key in ("intent", "service_id", "staff_id", "start", "event_id", "day"):
            data.pop(key, None)
        data.update(values, options=["yes", "no"], fails=0)
        self.session.write({"state": "confirm", "data": data})
        _ = self.env._
        return [Reply(text, [Option("yes", _("Yes")), Option("no", _("No"))])]

    def _tool_propose_booking(self, service_id=None, start=None, staff_id=None, name=None):
        _ = self.env._
        service = self._service(service_id)
        moment = self._offered_start(service, start)
        staff = self.sudo_env["resource.resource"]
        if staff_id and service.assignment == "customer":
            staff = staff.browse(_id(staff_id))
            if staff.id not in self.offered[(service.id, moment)]:
                raise ValueError(f"staff_id {staff_id!r} is not free at {start}")
        values = {
            "intent": "book",
            "service_id": service.id,
            "staff_id": staff.id or None,
            "start": fields.Datetime.to_string(moment),
        }
        if name and not self.partner:
            values["name"] = str(name).strip()[:100]
        args = {
            "service": service.with_context(lang=self.env.lang).name,
            "when": self._when(moment, service._booking_tz()),
            "staff": staff.name,
        }
        if staff:
            text = _("%(service)s with %(staff)s on %(when)s. Shall I book it?", **args)
        else:
            text = _("%(service)s on %(when)s. Shall I book it?", **args)
        return self._propose(values, text)

    def _tool_propose_reschedule(self, appointment_id=None, start=None):
        _ = self.env._
        event = self._event(appointment_id)
        service = event.notify_service_id
        if not event._notify_manage_may("reschedule"):
            raise ValueError(
                "too late to move this appointment here: the customer should contact the business"
            )
        moment = self._offered_start(service, start)
        staff = event.notify_staff_id
        if staff and staff.id not in self.offered[(service.id, moment)]:
            raise ValueError(
                f"{staff.name} is not free at {start}: call find_slots with appointment_id"
            )
        tz = service._booking_tz()
        text = _(
            "Move your %(service)s from %(old)s to %(new)s?",
            service=service.with_context(lang=self.env.lang).name,
            old=self._when(event.start, tz),
            new=self._when(moment, tz),
        )
        values = {
            "intent": "reschedule",
            "event_id": event.id,
            "service_id": service.id,
            "staff_id": staff.id or None,
            "start": fields.Datetime.to_string(moment),
        }
        return self._propose(values, text)

    def _tool_propose_cancel(self, appointment_id=None):
        _ = self.env._
        event = self._event(appointment_id)
        service = event.notify_service_id
        if not event._notify_manage_may("cancel"):
            raise ValueError(
                "too late to cancel this appointment here: the customer should contact the business"
            )
        text = _(
            "Cancel your %(service)s on %(when)s?",
            service=service.with_context(lang=self.env.lang).name,
            when=self._when(event.start, service._booking_tz()),
        )
        values = {
            "intent": "cancel",
            "event_id": event.id,
            "service_id": service.id,
            "staff_id": event.notify_staff_id.id or None,
        }
        return self._propose(values, text)

    def _tool_handoff(self):
        handoff = getattr(self.session, "_assistant_handoff", None)
        if not handoff:
            raise Fallback("handoff asked, and the session cannot hand off yet")
        replies = handoff("asked")
        if isinstance(replies, list) and replies:
            return replies
        return [Reply(self.env._("A colleague will answer you here as soon as possible."))]


# Arguments each tool accepts (others the model invents are ignored).
TOOL_NAMES = {
    tool["function"]["name"]: set(tool["function"]["parameters"]["properties"]) for tool in TOOLS
}
