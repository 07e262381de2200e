"""Tests of appointment_notify_sms/tests/netgsm_fake.py against NetGSM's documented answers.

Plain pytest, no Odoo: the answers a client gets from NetGSM's REST v2 API
(https://www.netgsm.com.tr/dokuman/): 00 + jobid, 20, 30, 40, 50, 51, 70, 80,
85, and the report's 00/60 with the per-message status.
"""

import importlib.util
from pathlib import Path

import pytest
import requests

FAKE = Path(__file__).resolve().parents[1] / "appointment_notify_sms/tests/netgsm_fake.py"
_spec = importlib.util.spec_from_file_location("netgsm_fake", FAKE)
netgsm_fake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(netgsm_fake)

AUTH = ("8501112233", "secret")


@pytest.fixture
def ng():
    with netgsm_fake.FakeNetgsm(*AUTH, headers={"SALON"}) as fake:
        yield fake


def send(ng, msg="Randevunuz onaylandı", no="905321234567", header="SALON", auth=AUTH, **extra):
    body = {"msgheader": header, "encoding": "TR", "messages": [{"msg": msg, "no": no}], **extra}
    return requests.post(ng.url + netgsm_fake.SEND_PATH, json=body, auth=auth, timeout=5)


def report(ng, jobids, auth=AUTH):
    return requests.post(
        ng.url + netgsm_fake.REPORT_PATH, json={"jobids": jobids}, auth=auth, timeout=5
    )


def test_send_answers_00_with_jobid_and_keeps_turkish(ng):
    answer = send(ng)
    assert answer.status_code == 200
    payload = answer.json()
    assert payload["code"] == "00" and payload["jobid"]
    assert ng.sent[0]["msg"] == "Randevunuz onaylandı"
    assert ng.sent[0]["encoding"] == "TR"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"msg": ""}, "20"),
        ({"msg": "x" * (netgsm_fake.MAX_CHARS + 1)}, "20"),
        ({"auth": ("8501112233", "wrong")}, "30"),
        ({"header": "OTHER"}, "40"),
        ({"no": "12"}, "70"),
        ({"no": "+905321234567"}, "70"),
    ],
)
def test_send_error_codes(ng, kwargs, code):
    answer = send(ng, **kwargs)
    assert answer.json()["code"] == code
    assert not ng.sent


def test_commercial_needs_iys_account_and_brand(ng):
    ng.iys_account = False
    assert send(ng, iysfilter="11").json()["code"] == "50"
    assert send(ng, iysfilter="0").json()["code"] == "00", "service messages need no İYS"
    ng.iys_account, ng.iys_brand = True, False
    assert send(ng, iysfilter="11").json()["code"] == "51"


def test_rate_limit_80_and_duplicates_85(ng):
    ng.rate_limit_per_second = 2
    codes = [send(ng).json()["code"] for _ in range(3)]
    assert codes == ["00", "00", "80"]
    ng.reset()
    ng.rate_limit_per_second = 0
    codes = [send(ng).json()["code"] for _ in range(21)]
    assert codes[:20] == ["00"] * 20 and codes[20] == "85"


def test_forced_system_errors(ng):
    ng.fail_next("100", "101")
    assert [send(ng).json()["code"] for _ in range(3)] == ["100", "101", "00"]


def test_report_statuses_and_60(ng):
    jobid = send(ng).json()["jobid"]
    assert report(ng, ["123"]).json()["code"] == "60"
    jobs = report(ng, [jobid]).json()["jobs"]
    assert jobs == [{"jobid": jobid, "status": 0, "telno": "905321234567", "errorCode": 0}]
    ng.deliver(jobid, "1")
    assert report(ng, [jobid]).json()["jobs"][0]["status"] == 1
    assert report(ng, [jobid], auth=("x", "y")).json()["code"] == "30"


def test_report_limited_to_10_a_minute(ng):
    jobid = send(ng).json()["jobid"]
    codes = [report(ng, [jobid]).json()["code"] for _ in range(11)]
    assert codes[:10] == ["00"] * 10 and codes[10] == "80"


def test_injected_faults_and_timeouts(ng):
    ng.timeout_sleep = 0.5
    ng.inject_faults(1.0, kinds=("timeout",), seed=1)
    with pytest.raises(requests.exceptions.Timeout):
        requests.post(
            ng.url + netgsm_fake.SEND_PATH,
            json={"msgheader": "SALON", "messages": [{"msg": "x", "no": "905321234567"}]},
            auth=AUTH,
            timeout=0.2,
        )
    assert len(ng.timed_out) == 1, "a timed-out send was accepted all the same"
    ng.inject_faults(1.0, kinds=("100",), seed=1)
    assert send(ng).json()["code"] == "100"
    ng.clear_faults()
    assert send(ng).json()["code"] == "00"
    assert ng.faults == {"timeout": 1, "100": 1}
    assert ng.received_by_no() == {"905321234567": 2}
