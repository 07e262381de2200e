"""Helpers for the end-to-end tests: real Odoo servers, real PostgreSQL, a real SMTP sink.

Nothing of ours is mocked. A test module gets its own database, cloned from an
installed base database (the cached ``an_tpl_*`` template of ``scripts/dev.py`` plus
``appointment_notify``, itself cached as ``an_e2e_base_<hash of the addon's files>``
so the 60-90 s install runs once per change of the addon), starts Odoo servers in
threaded mode with cron threads, drives them over XML-RPC, and reads what the
customers received from an aiosmtpd sink.

Environment (all optional; ``./dev test`` sets the ``AN_*`` ones):

- ``AN_DB_HOST``, ``AN_DB_PORT``, ``AN_DB_USER``: PostgreSQL (127.0.0.1, 5432, $USER).
- ``AN_ADDONS_PATH``: Odoo's addons path (default: Odoo's addons + this repository).
- ``AN_DATA_DIR``: Odoo's data dir (default ``.cache/data``).
- ``AN_PYTHON``: the Python that runs Odoo (default: this one).
- ``AN_E2E_SCALE``: multiplies the message counts of the load tests (default 1:
  300 messages for the concurrency test, 200 for the crash test;
  ``AN_E2E_SCALE=7`` sends 2100 and 1400).
- ``AN_E2E_KEEP=1``: keep the test databases and print their names (debugging).
"""

import email
import email.policy
import getpass
import hashlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import xmlrpc.client
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "appointment_notify"
SCALE = float(os.environ.get("AN_E2E_SCALE") or 1)
KEEP = bool(os.environ.get("AN_E2E_KEEP"))
LOG_DIR = ROOT / ".cache" / "e2e-logs"
FINAL_STATES = ("sent", "delivered", "failed", "skipped", "cancelled")
MAIL_DOMAIN = "e2e.example.com"


def scaled(count):
    """A message count of a load test, multiplied by AN_E2E_SCALE."""
    return max(1, round(count * SCALE))


def _load_dev():
    spec = importlib.util.spec_from_file_location("an_dev", ROOT / "scripts" / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = _load_dev()

PG = {
    "host": os.environ.get("AN_DB_HOST") or "127.0.0.1",
    "port": int(os.environ.get("AN_DB_PORT") or 5432),
    "user": os.environ.get("AN_DB_USER") or os.environ.get("PGUSER") or getpass.getuser(),
}
PYTHON = os.environ.get("AN_PYTHON") or sys.executable
DATA_DIR = Path(os.environ.get("AN_DATA_DIR") or ROOT / ".cache" / "data")


def addons_path():
    if os.environ.get("AN_ADDONS_PATH"):
        return os.environ["AN_ADDONS_PATH"]
    try:
        return dev.odoo_addons_path()
    except ImportError:
        return f"/opt/odoo19/addons,{ROOT}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout=60, interval=0.5, what="condition"):
    """Poll ``condition()`` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; last value: {value!r}")


def utc(dt):
    """A naive UTC datetime as Odoo's XML-RPC string."""
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def now_utc():
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


# --------------------------------------------------------------------------
# databases
# --------------------------------------------------------------------------


def sql(db, query, params=None):
    """Run one statement on ``db`` (autocommit); rows for a SELECT."""
    conn = dev.pg_connect(PG, db)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


def drop_db(name):
    sql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(DATA_DIR / "filestore" / name, ignore_errors=True)


def clone_db(template, name, attempts=10):
    """CREATE DATABASE ... TEMPLATE, retried while someone else uses the template."""
    drop_db(name)
    for attempt in range(attempts):
        try:
            sql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            break
        except Exception as exc:
            if "being accessed by other users" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(1 + attempt)
    src = DATA_DIR / "filestore" / template
    if src.is_dir():
        shutil.copytree(src, DATA_DIR / "filestore" / name)


def db_exists(name):
    return bool(sql("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def odoo_cmd(db, *args):
    return [
        PYTHON,
        "-m",
        "odoo",
        "server",
        f"--addons-path={addons_path()}",
        f"--data-dir={DATA_DIR}",
        f"--db_host={PG['host']}",
        f"--db_port={PG['port']}",
        f"--db_user={PG['user']}",
        "-d",
        db,
        *args,
    ]


def _addon_digest():
    digest = hashlib.sha1()
    for path in sorted((ROOT / ADDON).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _cached_install(source, addon, prefix, key):
    """A clone of ``source`` with ``addon`` installed, cached as ``<prefix><key>``.

    Built once per version of the addons (the key); older ones of the same prefix
    are dropped.
    """
    name = prefix + key[:10]
    if db_exists(name):
        return name
    building = name + "_building"
    clone_db(source, building)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"install-{name}.log"
    cmd = odoo_cmd(building, "-i", addon, "--stop-after-init", "--no-http", "--log-level=warn")
    with open(log_path, "w") as log:
        res = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=False)
    if res.returncode:
        drop_db(building)
        raise RuntimeError(f"installing {addon} failed (exit {res.returncode}); see {log_path}")
    for (old,) in sql("postgres", "SELECT datname FROM pg_database"):
        if old.startswith(prefix) and old not in (name, building):
            drop_db(old)
    sql("postgres", f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    fs = DATA_DIR / "filestore"
    # A filestore under that name without its database (dropped by hand, or by a
    # run interrupted before this rename) is stale: it must not block the rename.
    shutil.rmtree(fs / name, ignore_errors=True)
    if (fs / building).is_dir():
        (fs / building).rename(fs / name)
    return name


def base_db():
    """Name of a database with the template's modules and appointment_notify installed."""
    template = dev.template_db(PG, dev.TEMPLATE_MODULES)
    key = hashlib.sha1(f"{template}|{_addon_digest()}|{addons_path()}".encode()).hexdigest()
    return _cached_install(template, ADDON, "an_e2e_base_", key)


# --------------------------------------------------------------------------
# SMTP sink
# --------------------------------------------------------------------------


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 recording every e-mail it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            if part.get_content_type() in ("text/html", "text/plain"):
                parts.setdefault(part.get_content_type(), part.get_content())
        record = {
            "rcpt": [addr.lower() for addr in envelope.rcpt_tos],
            "subject": str(msg["Subject"] or ""),
            "message_id": str(msg["Message-Id"] or ""),
            "html": parts.get("text/html", ""),
            "text": parts.get("text/plain", ""),
        }
        with self.lock:
            self.messages.append(record)
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()

    def clear(self):
        with self.lock:
            self.messages.clear()

    def received(self, rcpt=None):
        """Messages received (for one recipient address if given)."""
        with self.lock:
            msgs = list(self.messages)
        if rcpt:
            msgs = [m for m in msgs if rcpt.lower() in m["rcpt"]]
        return msgs

    def count_by_rcpt(self, suffix=""):
        counts = {}
        for msg in self.received():
            for rcpt in msg["rcpt"]:
                if rcpt.endswith(suffix):
                    counts[rcpt] = counts.get(rcpt, 0) + 1
        return counts


# --------------------------------------------------------------------------
# Odoo servers and XML-RPC
# --------------------------------------------------------------------------


class Rpc:
    """XML-RPC client logged in as admin. Not thread-safe: one per thread."""

    def __init__(self, url, db, login="admin", password="admin"):
        self.url, self.db, self.password = url, db, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        assert self.uid, f"cannot log in as {login} on {db}"
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        assert rows, f"no record {xmlid}"
        return rows[0]["res_id"]


class OdooServer:
    """One Odoo process (threaded mode, cron threads) on a free port, logging to a file."""

    def __init__(self, db, name, cron_threads=2, extra_args=(), environ=None):
        self.db, self.name, self.cron_threads = db, name, cron_threads
        self.extra_args = list(extra_args)  # more Odoo options, e.g. --db_maxconn=24
        self.environ = environ  # more environment variables, e.g. ODOO_MAX_HTTP_THREADS
        self.proc = None
        self.port = None
        self.log_path = LOG_DIR / f"{db}-{name}.log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=120):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        cmd = odoo_cmd(
            self.db,
            f"--db-filter=^{self.db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            "--workers=0",
            f"--max-cron-threads={self.cron_threads}",
            "--log-level=info",
            *self.extra_args,
        )
        with open(self.log_path, "a") as log:
            log.write(f"\n===== start {' '.join(cmd)}\n")
            log.flush()
            self.proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **self.environ} if self.environ else None,
            )
        wait_until(self._ready, timeout=timeout, interval=0.5, what=f"{self.name} to answer")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"Odoo {self.name} exited; log tail:\n{self.log_tail()}")
        try:
            with urllib.request.urlopen(f"{self.url}/web/login", timeout=5) as resp:
                return resp.status == 200
        except OSError:
            return False

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_text(self):
        return self.log_path.read_text(errors="replace")

    def rpc(self):
        return Rpc(self.url, self.db)

    def kill(self):
        """SIGKILL the whole process: a crash, nothing gets to clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class E2eEnv:
    """One test module's world: its database, its servers, the SMTP sink."""

    def __init__(self, label, sink):
        self.db = f"an_e2e_{label}_{os.getpid()}"
        self.sink = sink
        self.servers = []

    def create_db(self):
        clone_db(base_db(), self.db)
        return self

    def start_server(self, name=None, cron_threads=2, **options):
        """Start one more server; ``options``: OdooServer's extra_args and environ."""
        server = OdooServer(self.db, name or f"s{len(self.servers) + 1}", cron_threads, **options)
        self.servers.append(server)
        return server.start()

    def close(self):
        for server in self.servers:
            server.stop()
        if KEEP:
            print(f"[e2e] kept database {self.db}")
        else:
            drop_db(self.db)


def prepare_db(rpc, sink):
    """Make the demo database send for real, through the sink; no rule active."""
    for key, value in {
        "web.base.url": rpc.url,
        # Where the fake Twilio calls back, and what its signatures are checked for.
        "appointment_notify_sms.webhook_url": rpc.url,
        # Calendar's own invitations would reach the sink too: not ours to test.
        "calendar.block_mail": "True",
    }.items():
        rpc("ir.config_parameter", "set_param", key, value)
    companies = rpc("res.company", "search", [])
    rpc("res.company", "write", companies, {"notify_test_mode": False})
    servers = rpc("ir.mail_server", "search", [])
    if servers:
        rpc("ir.mail_server", "write", servers, {"active": False})
    rpc(
        "ir.mail_server",
        "create",
        {
            "name": "e2e SMTP sink",
            "smtp_host": "127.0.0.1",
            "smtp_port": sink.port,
            "smtp_encryption": "none",
            "sequence": 1,
        },
    )
    # The demo data's queued e-mails (calendar invitations) are not ours to send.
    queued = rpc("mail.mail", "search", [("state", "=", "outgoing")])
    if queued:
        rpc("mail.mail", "write", queued, {"state": "cancel"})
    archive_rules(rpc)


def archive_rules(rpc):
    rules = rpc("appointment.notify.rule", "search", [])
    if rules:
        rpc("appointment.notify.rule", "write", rules, {"active": False})


def set_param(rpc, key, value):
    rpc("ir.config_parameter", "set_param", f"appointment_notify.{key}", str(value))


# --------------------------------------------------------------------------
# business data
# --------------------------------------------------------------------------


def address(tag, i):
    return f"{tag}-{i}@{MAIL_DOMAIN}"


def make_customers(rpc, tag, count, **vals):
    """``count`` customers with e-mail consent and an address ``<tag>-<i>@...``."""
    return rpc(
        "res.partner",
        "create",
        [
            {
                "name": f"{tag} customer {i}",
                "email": address(tag, i),
                "notify_consent_email": True,
                **vals,
            }
            for i in range(count)
        ],
    )


def copy_template(rpc, xmlid, **vals):
    """A copy of one of the addon's templates with ``vals`` changed; its id."""
    copied = rpc("mail.template", "copy", rpc.ref(xmlid), vals)
    return copied[0] if isinstance(copied, list) else copied


def make_rule(rpc, trigger, template=None, **vals):
    """An e-mail rule; ``template``: a mail.template id, default the trigger's own."""
    if template is None:
        template = rpc.ref(f"appointment_notify.mail_template_event_{trigger}")
    return rpc(
        "appointment.notify.rule",
        "create",
        {
            "name": f"e2e {trigger}",
            "trigger": trigger,
            "channel": "email",
            "mail_template_id": template,
            "offset_amount": 0,
            "offset_unit": "hours",
            **vals,
        },
    )


def event_vals(customers, start=None, hours=1, **vals):
    start = start or now_utc() + timedelta(days=2)
    return {
        "name": vals.pop("name", "e2e appointment"),
        "start": utc(start),
        "stop": utc(start + timedelta(hours=hours)),
        "partner_ids": [(6, 0, list(customers))],
        **vals,
    }


def book(rpc, vals_list):
    """Create calendar events (one create call: one transaction)."""
    return rpc("calendar.event", "create", vals_list)


MESSAGE_FIELDS = ("state", "reason", "partner_id", "rule_id", "trigger", "destination", "res_id")


def messages(rpc, domain, fields=MESSAGE_FIELDS):
    return rpc(
        "appointment.notify.message",
        "search_read",
        domain,
        fields=list(fields),
        order="id",
    )


def wait_final(rpc, domain, count=None, timeout=120):
    """Wait until the messages of ``domain`` (``count`` of them if given) are all final."""

    def done():
        rows = messages(rpc, domain)
        if count is not None and len(rows) != count:
            return False
        return rows if all(r["state"] in FINAL_STATES for r in rows) else False

    return wait_until(done, timeout=timeout, interval=1, what=f"final messages {domain}")


def settle(rpc, domain, count=None, timeout=120):
    """Wait until the messages are final and the mail queue sent what they queued.

    Returns the messages as they are then: an e-mail's outcome may still change
    while Odoo's mail queue sends it.
    """
    wait_final(rpc, domain, count=count, timeout=timeout)
    wait_mail_queue_empty(rpc, timeout=timeout)
    return messages(rpc, domain)


def wait_mail_queue_empty(rpc, timeout=120):
    """Wait until Odoo's outgoing mail queue holds nothing to send."""
    return wait_until(
        lambda: not rpc("mail.mail", "search_count", [("state", "=", "outgoing")]),
        timeout=timeout,
        interval=1,
        what="the outgoing mail queue to empty",
    )


# --------------------------------------------------------------------------
# SMS (appointment_notify_sms, Twilio through appointment_notify_sms/tests/twilio_fake.py)
# --------------------------------------------------------------------------

SMS_ADDON = "appointment_notify_sms"
SMS_ACCOUNT_SID = "AC" + "e2" * 16
SMS_AUTH_TOKEN = "e2e-sms-auth-token"
SMS_FROM = "+3197010000001"


def _addons_digest(addons):
    digest = hashlib.sha1()
    for addon in addons:
        for path in sorted((ROOT / addon).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def sms_base_db():
    """base_db() plus appointment_notify_sms, cached as ``an_e2e_smsbase_<hash>``."""
    core = base_db()
    key = hashlib.sha1(f"{core}|{_addons_digest([SMS_ADDON])}".encode()).hexdigest()
    return _cached_install(core, SMS_ADDON, "an_e2e_smsbase_", key)


def prepare_sms(rpc, twilio):
    """Point the companies at the fake Twilio: one account, one sender number, no throttle."""
    rpc("ir.config_parameter", "set_param", "appointment_notify_sms.twilio_api_url", twilio.url)
    companies = rpc("res.company", "search", [])
    rpc(
        "res.company",
        "write",
        companies,
        {
            "country_id": rpc.ref("base.nl"),
            "sms_twilio_account_sid": twilio.account_sid,
            "sms_twilio_auth_token": twilio.auth_token,
            "notify_sms_sender_type": "number",
            "notify_sms_from_number": SMS_FROM,
            "notify_sms_rate": 0,
        },
    )


def sms_number(i, block=0):
    """A distinct Dutch mobile number in E.164: +316<block><i:07d> (blocks 1-6 and 8)."""
    return f"+316{block % 10}{i:07d}"


def make_sms_customers(rpc, tag, numbers, **vals):
    """One Dutch customer with SMS consent per stored number (any format)."""
    return rpc(
        "res.partner",
        "create",
        [
            {
                "name": f"{tag} customer {i}",
                "phone": number,
                "country_id": rpc.ref("base.nl"),
                "notify_consent_sms": True,
                **vals,
            }
            for i, number in enumerate(numbers)
        ],
    )


def make_sms_rule(rpc, trigger, **vals):
    """An SMS rule for ``trigger`` with the SMS addon's template of that trigger."""
    return rpc(
        "appointment.notify.rule",
        "create",
        {
            "name": f"e2e SMS {trigger}",
            "trigger": trigger,
            "channel": "sms",
            "sms_template_id": rpc.ref(f"appointment_notify_sms.sms_template_event_{trigger}"),
            "offset_amount": 0,
            "offset_unit": "hours",
            **vals,
        },
    )


SMS_FIELDS = ("state", "reason", "partner_id", "destination", "attempts", "provider_ref")


def sms_messages(rpc, events, fields=SMS_FIELDS):
    """The SMS messages about ``events`` (calendar.event ids), by id."""
    domain = [("res_model", "=", "calendar.event"), ("res_id", "in", list(events))]
    return messages(rpc, domain + [("channel", "=", "sms")], fields=fields)


def states_summary(rows):
    """{state: (count, the first one's reason)}: what an assertion message shows."""
    states = {}
    for row in rows:
        states.setdefault(row["state"], []).append(row)
    return {state: (len(group), group[0]["reason"]) for state, group in states.items()}


def wait_sms_settled(rpc, twilio, events, count, timeout=120):
    """Wait until nothing more will happen to the ``count`` SMS of ``events``.

    None is left to send ('scheduled', 'sending') and the fake Twilio has no status
    callback left to post; the rows as they are then (a message that Twilio
    reported delivered but that is still 'sent' is for the caller to judge).
    """
    last = []

    def settled():
        last[:] = sms_messages(rpc, events)
        busy = [row for row in last if row["state"] in ("scheduled", "sending")]
        if len(last) == count and not busy and twilio.wait_idle(0.5):
            # Read again: callbacks may have been applied while we waited.
            return sms_messages(rpc, events)
        return False

    try:
        return wait_until(settled, timeout=timeout, interval=1, what=f"{count} SMS to settle")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; states: {states_summary(last)}") from None


def book_each(rpc, customers, days=3):
    """One appointment per customer, all in one transaction; the events' ids."""
    start = now_utc() + timedelta(days=days)
    return book(rpc, [event_vals([customer], start=start) for customer in customers])


# --------------------------------------------------------------------------
# WhatsApp booking assistant (appointment_notify_whatsapp_assistant)
# --------------------------------------------------------------------------

ASSISTANT_ADDON = "appointment_notify_whatsapp_assistant"
# What it installs on top of the SMS base (its dependencies): their files key the cache.
ASSISTANT_ADDONS = [
    "appointment_notify_whatsapp",
    "appointment_notify_booking",
    "appointment_notify_links",
    ASSISTANT_ADDON,
]


def assistant_base_db():
    """sms_base_db() plus the assistant and its dependencies, cached as
    ``an_e2e_asstbase_<hash>``."""
    sms = sms_base_db()
    key = hashlib.sha1(f"{sms}|{_addons_digest(ASSISTANT_ADDONS)}".encode()).hexdigest()
    return _cached_install(sms, ASSISTANT_ADDON, "an_e2e_asstbase_", key)
