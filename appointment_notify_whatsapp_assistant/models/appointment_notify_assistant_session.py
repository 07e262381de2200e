import json
import logging
import time
from datetime import timedelta

import psycopg2
from markupsafe import Markup, escape

from odoo import api, fields, models, modules
from odoo.tools import SQL

from ..tools.assistant_flow import AssistantFlow, Reply
from ..tools.assistant_llm import AssistantLlm

_logger = logging.getLogger(__name__)

# The shared vocabulary of the assistant (helpers: keep it, extend it, document it here).
#
# ``state``: where the conversation stands, i.e. what the last reply asked.
# ``data`` (JSON), all optional:
#   intent       "book" | "reschedule" | "cancel" | "list"
#   name         a new customer's name, before the partner exists
#   service_id   appointment.notify.service id
#   staff_id     resource.resource id, or None for "any"
#   day          "YYYY-MM-DD", in the service's time zone
#   start        "YYYY-MM-DD HH:MM:SS", naive UTC (Odoo's storage), the proposed slot
#   time         "HH:MM" in the service's time zone: a time the customer asked for
#                before the day (or the service) was known; checked once it is
#   part         "morning" | "afternoon" | "evening": narrows the next time list
#   event_id     calendar.event id the customer picked (reschedule, cancel)
#   options      [choice id, ...] offered in the last reply, in order: a reply "2"
#                means options[1] (the numbered text fallback)
#   fails        consecutive turns the assistant did not understand
#   lang         the customer's language code (en_US, tr_TR, nl_NL, it_IT, uk_UA)
#
# Choice ids (WhatsApp ButtonPayload / ListId, and the numbered fallback):
#   intent:book  intent:reschedule  intent:cancel  intent:list  intent:human
#   svc:<service id>   staff:<resource id>   staff:any   day:YYYY-MM-DD   day:more
#   slot:YYYY-MM-DDTHH:MM:SS (naive UTC)   appt:<event id>   yes   no
#   (day:more after a day list: the days after it; after a time list: the days again)
#
# The runner (``_cron_run``) sets ``data["options"]`` to the choice ids of the last
# reply of a turn that had options (its numbered list), ``data["lang"]`` and
# ``session.lang``. Replies need a contact: for a number nobody knows the runner
# creates one (``reply_partner_id``, named after the WhatsApp profile name, renamed to
# ``data["name"]`` once the flow has it) and leaves ``partner_id`` empty, so the flow
# still asks the name; its ``_notify_booking_find_or_create`` finds that contact by
# its number when it books.
# ``session._assistant_handoff(reason)`` returns the replies to send (a short
# "a member of our staff will answer you here"): the flow returns them from ``handle``.
STATES = [
    ("idle", "Idle"),
    ("name", "Asked the name"),
    ("service", "Asked the service"),
    ("staff", "Asked the staff member"),
    ("day", "Asked the day"),
    ("time", "Asked the time"),
    ("confirm", "Asked to confirm"),
    ("pick_appointment", "Asked which appointment"),
    ("handoff", "With staff"),
]


# A customer often sends "Yarın" and "14:00" as two messages a second apart: the
# runner answers a conversation once its newest unread message is this old.
DEBOUNCE = 1.5  # seconds; context key ``assistant_debounce`` overrides it (tests: 0)
IDLE = timedelta(minutes=30)  # the collected data is forgotten after this silence
WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window
RUN_BUDGET = 50.0  # seconds a runner keeps waiting for debounced conversations
MAX_TURN_RETRIES = 3  # database conflicts (deadlock, serialization) per turn and run
HANDOFF_HOURS = 4.0
CRON = "appointment_notify_whatsapp_assistant.ir_cron_assistant_run"
# Odoo runs one instance of a cron at a time: a second record lets two cron
# threads (of one server or two) answer different conversations in parallel.
RUNNER_CRONS = (CRON, f"{CRON}_2")


def trigger_runners(env):
    """Wake the runners now; each claims other conversations (SKIP LOCKED)."""
    for xmlid in RUNNER_CRONS:
        env.ref(xmlid).sudo()._trigger()


CHOICE_PREFIXES = ("intent:", "svc:", "staff:", "day:", "slot:", "appt:")
CHOICE_WORDS = {"yes", "no"}
# The language of a number nobody knows, by its country calling code.
COUNTRY_LANGS = (("+380", "uk_UA"), ("+90", "tr_TR"), ("+31", "nl_NL"), ("+39", "it_IT"))


def is_choice(value):
    """Whether a ButtonPayload / ListId is one of the assistant's choice ids."""
    value = (value or "").strip()
    return value in CHOICE_WORDS or value.startswith(CHOICE_PREFIXES)


def lang_of_number(number):
    for prefix, lang in COUNTRY_LANGS:
        if (number or "").startswith(prefix):
            return lang
    return "en_US"


def answer_lang(env, partner, number, company):
    """The language the assistant answers in: the customer's, else that of the
    number's country, if installed (the flow translates with it), else the company's."""
    installed = dict(env["res.lang"].get_installed())
    for lang in (partner.lang, lang_of_number(number), company.partner_id.lang):
        if lang in installed:
            return lang
    return "en_US"


def numbered(reply):
    """The reply's text with its options as a numbered list: what WhatsApp shows
    when interactive messages are not available, and what a bare "2" answers."""
    lines = [f"{n}. {option.title}" for n, option in enumerate(reply.options, 1)]
    return "\n\n".join(filter(None, [reply.text, "\n".join(lines)]))


class AppointmentNotifyAssistantSession(models.Model):
    """One WhatsApp conversation of the booking assistant: a customer number in a company.

    What the customer wrote is kept on ``appointment.notify.whatsapp.inbound``
    (``session_id``); what the assistant answered on ``appointment.notify.message``
    (``assistant_session_id``).

    Runtime (docs/ARCHITECTURE.md): the webhook only records the inbound row, creates
    the session if missing and triggers the runner cron; the runner claims one
    session at a time, runs one turn with all its unread messages and queues the
    replies for the dispatcher.
    """

    _name = "appointment.notify.assistant.session"
    _description = "WhatsApp booking assistant conversation"
    _order = "last_inbound_at desc, id desc"
    _rec_name = "phone"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", "Customer", ondelete="set null", index=True)
    reply_partner_id = fields.Many2one(
        "res.partner",
        "Contact of the replies",
        ondelete="set null",
        readonly=True,
        help="A number nobody knew: the contact the conversation's messages are kept on "
        "until the customer is known (named after their WhatsApp name, then the name "
        "they gave).",
    )
    phone = fields.Char("WhatsApp number", required=True, readonly=True, help="E.164")
    profile_name = fields.Char("WhatsApp name", readonly=True)
    lang = fields.Char("Language", help="Language code the assistant answers in.")
    state = fields.Selection(STATES, default="idle", required=True)
    data = fields.Json("Collected data")
    last_inbound_at = fields.Datetime("Last message", readonly=True)
    expires_at = fields.Datetime(
        "Forgets at", help="The collected data is dropped after this (idle time or 24-hour window)."
    )
    handoff_until = fields.Datetime(
        "With staff until", help="The assistant stays silent for this customer until then."
    )
    llm_history = fields.Json("Language model history")
    opted_out = fields.Boolean(
        "Stopped", readonly=True, help="The number sent STOP: the assistant stays silent."
    )
    inbound_ids = fields.One2many(
        "appointment.notify.whatsapp.inbound", "session_id", "Customer messages", readonly=True
    )
    reply_ids = fields.One2many(
        "appointment.notify.message", "assistant_session_id", "Replies", readonly=True
    )
    transcript = fields.Html(compute="_compute_transcript", sanitize=True)
    data_text = fields.Text("Collected data (JSON)", compute="_compute_data_text")

    _company_phone_unique = models.Constraint(
        "UNIQUE (company_id, phone)", "One conversation per number and company."
    )

    @api.depends("data")
    def _compute_data_text(self):
        for session in self:
            session.data_text = json.dumps(session.data or {}, indent=1, ensure_ascii=False)

    @api.depends("inbound_ids.body", "reply_ids.body", "reply_ids.state")
    def _compute_transcript(self):
        for session in self:
            session.transcript = session._transcript_html()

    def _transcript_lines(self, limit=None):
        """[(datetime, who, text)] of the conversation, oldest first."""
        self.ensure_one()
        lines = [
            (m.create_date, m.from_number or self.phone, m.body or m.assistant_choice or "")
            for m in self.sudo().inbound_ids
        ]
        labels = dict(self.env["appointment.notify.message"]._fields["whatsapp_reply"].selection)
        lines += [
            (m.create_date, labels.get(m.whatsapp_reply, m.whatsapp_reply), m.body or "")
            for m in self.sudo().reply_ids
        ]
        lines.sort(key=lambda line: line[0] or fields.Datetime.now())
        return lines[-limit:] if limit else lines

    def _transcript_html(self, limit=None):
        rows = Markup("").join(
            Markup("<p><small>%s</small> <b>%s</b><br/>%s</p>")
            % (
                fields.Datetime.to_string(when) if when else "",
                who,
                Markup("<br/>").join(escape(text).split("\n")),
            )
            for when, who, text in self._transcript_lines(limit)
        )
        return rows or Markup("")

    # ------------------------------------------------------------------
    # runner
    # ------------------------------------------------------------------

    @api.model
    def _debounce(self, debounce=None):
        if debounce is None:
            debounce = self.env.context.get("assistant_debounce", DEBOUNCE)
        return max(float(debounce), 0.0)

    @api.model
    def _cron_run(self, debounce=None):
        """Answer the conversations that have unread messages, one turn at a time.

        Each turn runs in its own transaction: the session row is claimed with
        ``FOR NO KEY UPDATE SKIP LOCKED`` (a second runner takes another session
        or none), and the turn's replies, the inbound rows marked processed and
        the session's new state are committed together.

        The webhook triggers this cron at once (``_trigger()``): Odoo's cron
        threads listen for triggers, so a run starts within a moment, without
        waiting for the 60-second polling. A conversation is ready when its
        newest unread message is ``debounce`` seconds old (two messages a moment
        apart are one turn); when some are pending but none is ready yet, the
        run sleeps until the first one is (never longer than ``debounce``) and
        looks again, so the reply is queued about 2 seconds after the
        customer's last message. It stops when nothing is pending, or after
        ``RUN_BUDGET`` seconds (the cron is then triggered again).
        Returns the number of turns run (tests use it).
        """
        debounce = self._debounce(debounce)
        auto_commit = not modules.module.current_test or self.env.context.get("assistant_commit")
        started = time.monotonic()
        turns = 0
        conflicts = {}
        while True:
            self._runner_commit(auto_commit)
            session, wait = self._runner_claim(debounce)
            if session:
                if session._runner_turn(conflicts, auto_commit):
                    turns += 1
                wait = 0.0
            elif wait is None:
                break
            if time.monotonic() - started + wait > RUN_BUDGET:
                # Time is up: the next run takes what is left.
                trigger_runners(self.env)
                break
            if wait:
                self._runner_commit(auto_commit)  # no transaction left open while asleep
                time.sleep(wait)
        self._runner_commit(auto_commit)
        return turns

    @api.model
    def _runner_commit(self, auto_commit):
        """Commit (cron batching only); each claim then runs in READ COMMITTED.

        READ COMMITTED: a session another runner just committed is skipped or
        re-read, not a serialization error; the booking engine's staff lock (a
        real UPDATE) waits for a concurrent booking and its availability
        re-check, a new statement, sees it.
        """
        self.env.flush_all()
        if not auto_commit:
            return
        self.env["ir.cron"]._commit_progress()  # commits, also outside a cron run
        self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        # What other transactions committed meanwhile (new messages) is read anew.
        self.env.invalidate_all()

    @api.model
    def _runner_claim(self, debounce):
        """(session, None) ready and locked for this runner; or (empty, seconds to
        wait) when conversations are pending but none is ready; or (empty, None).

        NO KEY UPDATE, not UPDATE: the webhook inserts inbound rows referencing
        the session (a KEY SHARE lock), which must never wait for a turn.
        """
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH pending AS (
                    SELECT session_id, MAX(create_date) AS newest
                      FROM appointment_notify_whatsapp_inbound
                     WHERE session_id IS NOT NULL AND processed IS NOT TRUE
                     GROUP BY session_id
                )
                SELECT s.id
                  FROM appointment_notify_assistant_session s
                  JOIN pending p ON p.session_id = s.id
                 WHERE p.newest <= (clock_timestamp() AT TIME ZONE 'UTC')
                                   - make_interval(secs => %(debounce)s)
                 ORDER BY p.newest, s.id
                 LIMIT 1
                   FOR NO KEY UPDATE OF s SKIP LOCKED
                """,
                debounce=debounce,
            )
        )
        row = cr.fetchone()
        if row:
            return self.browse(row[0]), None
        cr.execute(
            SQL(
                """
                SELECT EXTRACT(EPOCH FROM MIN(p.newest) + make_interval(secs => %(debounce)s)
                                   - (clock_timestamp() AT TIME ZONE 'UTC'))
                  FROM (SELECT MAX(create_date) AS newest
                          FROM appointment_notify_whatsapp_inbound
                         WHERE session_id IS NOT NULL AND processed IS NOT TRUE
                         GROUP BY session_id) p
                 WHERE p.newest > (clock_timestamp() AT TIME ZONE 'UTC')
                                  - make_interval(secs => %(debounce)s)
                """,
                debounce=debounce,
            )
        )
        wait = cr.fetchone()[0]
        if wait is None:
            # Nothing pending but conversations another runner holds: its loop
            # takes their new messages too.
            return self.browse(), None
        return self.browse(), min(max(float(wait), 0.0) + 0.01, debounce)

    def _runner_turn(self, conflicts, auto_commit):
        """One turn of this claimed session; True when it ran."""
        self.ensure_one()
        Inbound = self.env["appointment.notify.whatsapp.inbound"].sudo()
        inbound = Inbound.search(
            [("session_id", "=", self.id), ("processed", "=", False)], order="id"
        )
        try:
            with self.env.cr.savepoint():
                self.sudo()._run_turn(inbound)
                self.env.flush_all()
        except psycopg2.OperationalError:
            # A deadlock or serialization failure: the turn is tried again.
            self.env.invalidate_all()
            conflicts[self.id] = conflicts.get(self.id, 0) + 1
            if conflicts[self.id] < MAX_TURN_RETRIES:
                _logger.info("WhatsApp assistant: turn of session %s conflicted, retrying", self.id)
                return False
            _logger.exception("WhatsApp assistant: turn of session %s given up", self.id)
            inbound.write({"processed": True})
        except Exception:
            # A bug must not make the runner loop over the same messages forever.
            self.env.invalidate_all()
            _logger.exception("WhatsApp assistant: turn of session %s failed", self.id)
            inbound.write({"processed": True})
        if auto_commit:
            self.env["ir.cron"]._commit_progress(1)
            self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            self.env.invalidate_all()
        return True

    def _run_turn(self, inbound):
        """All unread messages of the conversation, in order, answered at once."""
        self.ensure_one()
        now = fields.Datetime.now()
        if self.expires_at and self.expires_at < now and self.state != "handoff":
            self._assistant_reset()
        if self.state == "handoff" and (not self.handoff_until or self.handoff_until <= now):
            self._assistant_reset()
        texts, choice, stopped = [], None, self.opted_out
        for message in inbound:
            if message.kind == "opt_out":
                stopped, texts, choice = True, [], None
                self._assistant_reset()
            elif message.kind == "opt_in":
                stopped, texts, choice = False, [], None
            elif message.kind == "assistant":
                if message.assistant_choice:
                    choice = message.assistant_choice
                elif message.body:
                    texts.append(message.body)
        last_at = max(inbound.mapped("create_date"), default=now)
        # The contact created for the replies is not the customer yet: the flow asks
        # their name first.
        partner = self.partner_id or (inbound.partner_id - self.reply_partner_id)[-1:]
        vals = {
            "opted_out": stopped,
            "last_inbound_at": last_at,
            "expires_at": min(last_at + IDLE, last_at + WINDOW),
        }
        if partner and not self.partner_id:
            vals["partner_id"] = partner.id
        lang = answer_lang(self.env, partner or self.reply_partner_id, self.phone, self.company_id)
        vals["lang"] = lang
        self.write(vals)
        inbound.write({"processed": True})
        text = "\n".join(texts).strip()
        contact = partner or self.reply_partner_id
        if stopped or (contact and contact._notify_whatsapp_opted_out()):
            return
        if not text and not choice:
            return
        if self.state == "handoff":
            # Staff answer now: show them what the customer wrote.
            self._assistant_partner()._assistant_post(
                self.env._("WhatsApp from %s (with staff):", self.phone), text or choice
            )
            return
        session = self.with_context(lang=lang)
        session.data = {**(self.data or {}), "lang": lang}
        replies = session._assistant_replies(text, choice)
        session._assistant_send(replies, ref=inbound[-1:].message_sid or str(self.id))
        self._assistant_name_contact()

    def _assistant_replies(self, text, choice=None):
        """The turn's answers: the language model first when the company enabled it,
        nothing was tapped and no confirmation is pending; else the guided flow."""
        self.ensure_one()
        company = self.company_id.sudo()
        replies = None
        if company.notify_assistant_llm_enabled and not choice and self.state != "confirm":
            replies = AssistantLlm(self).handle(text, choice)
        if replies is None:
            replies = AssistantFlow(self).handle(text, choice)
        return replies or []

    def _assistant_send(self, replies, ref):
        """Queue each reply as a WhatsApp free-text message (the dispatcher sends it)."""
        self.ensure_one()
        if not replies:
            return self.env["appointment.notify.message"]
        partner = self._assistant_partner()
        Message = self.env["appointment.notify.message"].sudo()
        messages = Message
        for n, reply in enumerate(replies):
            options = [
                {"id": o.id, "title": o.title, "description": o.description or ""}
                for o in reply.options
            ]
            message = Message._whatsapp_queue_reply(
                partner,
                self.company_id,
                numbered(reply),
                "assistant",
                ref=f"{ref}:{n}",
                number=self.phone,
            )
            message.write({"assistant_session_id": self.id, "whatsapp_options": options or False})
            messages |= message
        # A bare "2" next turn answers the last numbered list (the flow reads it).
        last = [r for r in replies if r.options][-1:]
        self.data = {
            **(self.data or {}),
            "options": [o.id for o in last[0].options] if last else [],
        }
        messages._wake_dispatcher()
        return messages

    def _assistant_partner(self):
        """The contact replies go to: the customer, else one for this number (messages
        need a contact), created at the first reply."""
        self.ensure_one()
        if self.partner_id:
            return self.partner_id
        if self.reply_partner_id:
            return self.reply_partner_id
        data = self.data or {}
        partner = (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": data.get("name") or self.profile_name or self.phone,
                    "phone": self.phone,
                    "lang": self.lang or False,
                    "notify_whatsapp_last_inbound": self.last_inbound_at or fields.Datetime.now(),
                    "company_id": self.company_id.id,
                }
            )
        )
        self.reply_partner_id = partner
        return partner

    def _assistant_name_contact(self):
        """The contact created for the replies takes the name the customer gave."""
        name = (self.data or {}).get("name")
        contact = self.reply_partner_id
        customer = self.partner_id
        if name and contact and contact.name != name and (not customer or customer == contact):
            contact.sudo().name = name

    @api.model
    def _cron_forget(self):
        """Drop what expired conversations collected (retention): names, choices
        and the language model's history do not outlive the conversation. The
        transcript stays on the inbound and message logs."""
        now = fields.Datetime.now()
        expired = self.search(
            [
                ("expires_at", "<", now),
                "|",
                ("handoff_until", "=", False),
                ("handoff_until", "<", now),
                "|",
                "|",
                ("state", "!=", "idle"),
                ("data", "!=", False),
                ("llm_history", "!=", False),
            ]
        )
        for session in expired:
            session._assistant_reset()
        return len(expired)

    def _assistant_reset(self):
        """Start over: the conversation's data and language model history go."""
        keep = {k: v for k, v in (self.data or {}).items() if k == "lang"}
        self.write(
            {"state": "idle", "data": keep or False, "llm_history": False, "handoff_until": False}
        )

    # ------------------------------------------------------------------
    # staff
    # ------------------------------------------------------------------

    def _assistant_handoff(self, reason=""):
        """Hand the conversation to staff: the bot is silent until ``handoff_until``.

        A note with the recent conversation on the customer's chatter and a to-do
        for the company's hand-off user. Returns the short reply for the customer.
        """
        self.ensure_one()
        company = self.company_id.sudo()
        hours = company.notify_assistant_handoff_hours or HANDOFF_HOURS
        self.write(
            {"state": "handoff", "handoff_until": fields.Datetime.now() + timedelta(hours=hours)}
        )
        partner = self._assistant_partner()
        head = self.env._(
            "The WhatsApp assistant handed %(number)s over to staff: %(reason)s",
            number=self.phone,
            reason=reason or self.env._("the customer asked"),
        )
        body = Markup("<p>%s</p>") % head + self._transcript_html(limit=10)
        partner.sudo().message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        user = company._notify_assistant_handoff_user()
        if user:
            partner.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._("Answer on WhatsApp"),
                note=head,
            )
        lang = self.lang or "en_US"
        return [
            Reply(
                self.with_context(lang=lang).env._(
                    # the flow's own words: one term, translated once
                    "A member of our staff will answer you here as soon as possible."
                )
            )
        ]

    def _assistant_staff_reply(self, text):
        """Staff's own answer from Odoo: queued like the assistant's, kept with staff."""
        self.ensure_one()
        partner = self._assistant_partner()
        message = (
            self.env["appointment.notify.message"]
            .sudo()
            ._whatsapp_queue_reply(
                partner,
                self.company_id,
                text,
                "staff",
                ref=f"staff:{self.id}:{fields.Datetime.now().isoformat()}:{len(self.reply_ids)}",
                number=self.phone,
            )
        )
        message.assistant_session_id = self
        partner._assistant_post(
            self.env._("Reply on WhatsApp by %s:", self.env.user.name),
            text,
            author=self.env.user.partner_id,
        )
        hours = self.company_id.sudo().notify_assistant_handoff_hours or HANDOFF_HOURS
        until = fields.Datetime.now() + timedelta(hours=hours)
        self.sudo().write(
            {"state": "handoff", "handoff_until": max(until, self.handoff_until or until)}
        )
        message._wake_dispatcher()
        return message

    def action_release(self):
        """Back to the assistant: it answers the customer's next message."""
        for session in self:
            session.sudo()._assistant_reset()
        return True

    def action_reply(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reply on WhatsApp"),
            "res_model": "appointment.notify.assistant.reply",
            "view_mode": "form",
            "target": "new",
            "context": {"default_session_id": self.id},
        }
