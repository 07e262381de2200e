"""SMS through NetGSM, end to end: real Odoo servers, the real dispatcher, a fake NetGSM.

The company's provider is NetGSM, pointed at the SMS addon's ``netgsm_fake``
(``appointment_notify_sms.netgsm_api_url``). What the customers "received" is
what the fake accepted, counted by number.

- Two servers dispatch the same N due SMS while NetGSM answers 30 % of the sends
  with 100 (system error), 80 (limit) or a timeout: every customer gets the SMS,
  and the duplicates are exactly the sends NetGSM accepted but answered too late (we
  cannot know those were sent); one report query then marks every message
  delivered, and a second run of the report cron asks nothing.
- A bad number and a missing header fail with clear reasons, without a request.
"""

import importlib.util
import threading
import time
from pathlib import Path

import pytest
from e2e_support import (
    book_each,
    make_sms_customers,
    make_sms_rule,
    scaled,
    set_param,
    sms_messages,
    states_summary,
    wait_until,
)

pytest_plugins = ["e2e_fixtures"]

FAKE = Path(__file__).resolve().parents[1] / "appointment_notify_sms/tests/netgsm_fake.py"
_spec = importlib.util.spec_from_file_location("netgsm_fake", FAKE)
netgsm_fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(netgsm_fake)

N = scaled(60)
USERCODE, PASSWORD, HEADER = "8501112233", "e2e-netgsm", "SALON"


@pytest.fixture(scope="module")
def e2e(e2e_sms):
    return e2e_sms


@pytest.fixture(scope="module")
def netgsm(e2e):
    fake = netgsm_fake.FakeNetgsm(USERCODE, PASSWORD, headers={HEADER}).start()
    client = e2e.servers[0].rpc()
    client("ir.config_parameter", "set_param", "appointment_notify_sms.netgsm_api_url", fake.url)
    # The report cron is run by the test itself, at the moments it chooses.
    cron = client.ref("appointment_notify_sms.ir_cron_netgsm_status")
    client("ir.cron", "write", [cron], {"active": False})
    companies = client("res.company", "search", [])
    client(
        "res.company",
        "write",
        companies,
        {
            "country_id": client.ref("base.tr"),
            "notify_sms_provider": "netgsm",
            "notify_netgsm_usercode": USERCODE,
            "notify_netgsm_password": PASSWORD,
            "notify_netgsm_header": HEADER,
            "notify_netgsm_encoding": "TR",
        },
    )
    yield fake
    fake.stop()


@pytest.fixture
def ng(netgsm, rpc):
    netgsm.reset()
    netgsm.clear_faults()
    set_param(rpc, "retry_delay_minutes", 0)
    set_param(rpc, "max_attempts", 8)
    set_param(rpc, "batch_size", 10)
    set_param(rpc, "lease_minutes", 1)
    return netgsm


def tr_number(i, block):
    return f"+90532{block}{i:06d}"


def run_code(rpc, code):
    model = rpc("ir.model", "search", [("model", "=", "appointment.notify.message")])[0]
    action = rpc(
        "ir.actions.server",
        "create",
        {"name": "e2e netgsm", "model_id": model, "state": "code", "code": code},
    )
    return action


def dispatch_until_idle(server, action, results, key):
    client = server.rpc()
    total = 0
    while True:
        processed = client("ir.actions.server", "run", [action])["processed"]
        total += processed
        if not processed:
            break
    results[key] = total


def wait_settled(rpc, events, count, timeout):
    def settled():
        rows = sms_messages(rpc, events, fields=("state", "reason", "attempts", "provider_ref"))
        busy = [row for row in rows if row["state"] in ("scheduled", "sending")]
        return rows if len(rows) == count and not busy else None

    return wait_until(settled, timeout=timeout, what="NetGSM SMS settled")


def test_two_servers_with_faults_text_each_customer_once(e2e, rpc, ng):
    if len(e2e.servers) < 2:
        e2e.start_server("s2")
    ng.timeout_sleep = 12  # above the client's 10 s timeout
    ng.delivery = "1"
    numbers = [tr_number(i, block=1) for i in range(N)]
    customers = make_sms_customers(rpc, "netgsmconc", numbers, country_id=rpc.ref("base.tr"))
    make_sms_rule(rpc, "confirmed")
    dispatch = run_code(rpc, "action = {'processed': model._cron_dispatch()}")
    ng.inject_faults(0.3, kinds=("100", "80", "100", "80", "timeout"), seed=20261202)
    started = time.monotonic()
    events = book_each(rpc, customers)
    results, threads = {}, []
    for server in e2e.servers:
        args = (server, dispatch, results, server.name)
        threads.append(threading.Thread(target=dispatch_until_idle, args=args))
    for thread in threads:
        thread.start()
    rows = wait_settled(rpc, events, N, timeout=240 + N)
    for thread in threads:
        thread.join(timeout=60)
    time.sleep(2)
    print(f"[e2e] {N} NetGSM SMS, faults {dict(ng.faults)}, {time.monotonic() - started:.1f} s")

    received = ng.received_by_no()
    expected = {n.lstrip("+") for n in numbers}
    assert set(received) == expected, sorted(expected - set(received))[:10]
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates == len(ng.timed_out), (duplicates, ng.timed_out)
    assert states_summary(rows) == {"sent": (N, False)}, states_summary(rows)
    # Each message knows the job id of its accepted send (not one that timed out).
    accepted = {record["jobid"] for record in ng.sent}
    assert {row["provider_ref"] for row in rows} <= accepted - set(ng.timed_out)

    report = run_code(rpc, "model._cron_netgsm_status()")
    rpc("ir.actions.server", "run", [report])
    assert ng.report_queries == 1, "one query for everything pending"
    rows = sms_messages(rpc, events, fields=("state", "reason"))
    assert states_summary(rows) == {"delivered": (N, False)}, states_summary(rows)
    rpc("ir.actions.server", "run", [report])
    assert ng.report_queries == 1, "nothing pending: no query"


def test_bad_number_and_missing_header_fail_clearly(e2e, rpc, ng):
    customers = make_sms_customers(
        rpc, "netgsmbad", ["12 34", tr_number(1, block=2)], country_id=rpc.ref("base.tr")
    )
    make_sms_rule(rpc, "confirmed")
    companies = rpc("res.company", "search", [])
    rpc("res.company", "write", companies, {"notify_netgsm_header": False})
    try:
        events = book_each(rpc, customers)
        rows = wait_settled(rpc, events, 2, timeout=120)
    finally:
        rpc("res.company", "write", companies, {"notify_netgsm_header": HEADER})
    bad, good = rows
    assert bad["state"] == "failed" and "'12 34'" in bad["reason"], bad
    assert "not a valid phone number" in bad["reason"], bad
    assert good["state"] == "failed", good
    assert "No NetGSM header (başlık) is set" in good["reason"], good
    assert not ng.requests
