"""Self-service link, end to end: a real SMS through the fake Twilio carries the link,
a plain HTTP client (no browser, no Odoo session) opens it, reschedules with the
page's CSRF token, and the "new time" SMS arrives once.

The database has appointment_notify_sms and appointment_notify_links installed;
the SMS templates are the addon's defaults.
"""

import hashlib
import re
import shutil
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from e2e_support import (
    E2eEnv,
    _addons_digest,
    _cached_install,
    clone_db,
    make_sms_customers,
    make_sms_rule,
    now_utc,
    prepare_db,
    prepare_sms,
    sms_base_db,
    sms_messages,
    sms_number,
    utc,
    wait_until,
)
from test_e2e_booking import make_service

pytest_plugins = ["e2e_fixtures"]

LINKS_ADDON = "appointment_notify_links"
LINK = re.compile(r"https?://\S+/appointment_notify/manage/[A-Za-z0-9_-]+")
CSRF = re.compile(r'csrf_token: "([^"]+)"')
SLOT = re.compile(r'<input type="radio" name="start"[^>]*value="([^"]+)"')


def links_base_db():
    """sms_base_db() plus the links addon (and booking), cached."""
    core = sms_base_db()
    digest = _addons_digest(["appointment_notify_booking", LINKS_ADDON])
    key = hashlib.sha1(f"{core}|{digest}".encode()).hexdigest()
    return _cached_install(core, LINKS_ADDON, "an_e2e_linksbase_", key)


@pytest.fixture(scope="module")
def e2e(request, sink, twilio):
    env = E2eEnv("links", sink)
    try:
        clone_db(links_base_db(), env.db)
        server = env.start_server(cron_threads=0)
        client = server.rpc()
        prepare_db(client, sink)
        prepare_sms(client, twilio)
        yield env
    finally:
        env.close()


def dispatch(rpc):
    model = rpc("ir.model", "search", [("model", "=", "appointment.notify.message")])[0]
    action = rpc(
        "ir.actions.server",
        "create",
        {
            "name": "e2e: dispatch now",
            "model_id": model,
            "state": "code",
            "code": "action = {'processed': model._cron_dispatch()}",
        },
    )
    return rpc("ir.actions.server", "run", [action])["processed"]


def phone_screenshot(url):
    """The page as a phone shows it (390 px wide), for the README: headless Chromium,
    no session, the way a customer opens the link."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return None
    folder = Path(__file__).resolve().parent.parent / "screenshots" / "e2e_links"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"manage_page_{datetime.now():%Y%m%d_%H%M%S}.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=390,1100",
            f"--screenshot={target}",
            url,
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return target if target.exists() else None


def texts_to(twilio, number):
    return [m.get("Body", "") for m in twilio.messages if m.get("To") == number]


def test_sms_link_reschedules_and_the_new_time_arrives_once(e2e, rpc, twilio):
    twilio.reset()
    service, _staff = make_service(rpc)
    number = sms_number(1, block=5)
    customer = make_sms_customers(rpc, "links", [number])[0]
    make_sms_rule(rpc, "confirmed")
    make_sms_rule(rpc, "rescheduled")
    start = (now_utc() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    booked = rpc("appointment.notify.service", "book_for_partner", [service], customer, utc(start))
    event = booked["event_id"]

    dispatch(rpc)
    wait_until(lambda: texts_to(twilio, number), what="the confirmation SMS")
    [confirmation] = texts_to(twilio, number)
    link = LINK.search(confirmation)
    assert link, confirmation
    url = link.group(0)

    client = requests.Session()
    page = client.get(url, timeout=30)
    assert page.status_code == 200
    assert "e2e Colouring" in page.text
    # Rendered for a phone: viewport, no asset bundle to load.
    assert 'name="viewport"' in page.text
    assert "/web/assets/" not in page.text
    phone_screenshot(url)
    offered = SLOT.findall(page.text)
    new_start = next(value for value in offered if value != utc(start))
    moved = client.post(
        f"{url}/reschedule",
        data={"csrf_token": CSRF.search(page.text).group(1), "start": new_start},
        allow_redirects=False,
        timeout=30,
    )
    assert moved.status_code == 303, moved.text[:500]
    [row] = rpc("calendar.event", "read", [event], ["start"])
    assert row["start"] == new_start

    dispatch(rpc)
    wait_until(lambda: len(texts_to(twilio, number)) >= 2, what="the new time SMS")
    time.sleep(2)  # a duplicate would follow at once
    dispatch(rpc)
    texts = texts_to(twilio, number)
    assert len(texts) == 2, texts
    assert "moved to" in texts[1]
    # The new SMS carries a link too (signed for the new end).
    assert LINK.search(texts[1]), texts[1]
    rows = sms_messages(rpc, [event], fields=("trigger", "state"))
    assert sorted(r["trigger"] for r in rows) == ["confirmed", "rescheduled"], rows
