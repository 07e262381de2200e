from odoo import fields
from odoo.tests import tagged

from .test_manage_links import ManageLinksCase

# The page loads no asset bundle, so no Odoo tour runner: plain DOM steps in a
# same-origin frame, which survives the form posts and their redirects.
STEPS = """
const frame = document.createElement("iframe");
document.body.append(frame);
const loaded = () =>
    new Promise((resolve) => frame.addEventListener("load", resolve, {once: true}));
const doc = () => frame.contentDocument;
(async () => {
    frame.src = location.href;
    await loaded();
    const slot = doc().querySelector('input[name="start"][value="%(new_start)s"]');
    if (!slot) { throw new Error("the free time is not offered"); }
    slot.click();
    doc().querySelector('button[name="reschedule"]').click();
    await loaded();
    if (!doc().querySelector("#manage_done")?.textContent.includes("new time")) {
        throw new Error("no new time: " + doc().body.innerText);
    }
    doc().querySelector("#manage_reason").value = "Cannot come after all";
    doc().querySelector('button[name="cancel"]').click();
    await loaded();
    if (!doc().querySelector("#manage_done")?.textContent.includes("is cancelled")) {
        throw new Error("not cancelled: " + doc().body.innerText);
    }
    console.log("test successful");
})().catch((error) => console.error(error.message));
"""


@tagged("post_install", "-at_install", "appointment_notify_links")
class TestManageTour(ManageLinksCase):
    """A customer on a phone opens the link, moves the appointment, then cancels it."""

    browser_size = "390x844"
    touch_enabled = True

    def test_phone_reschedule_then_cancel(self):
        new_start = fields.Datetime.to_string(self.event._notify_manage_slots()[0].start)
        self.browser_js(self.path, STEPS % {"new_start": new_start}, timeout=60)
        self.env.invalidate_all()
        self.assertEqual(fields.Datetime.to_string(self.event.start), new_start)
        self.assertEqual(self.event.booking_state, "cancelled")
        self.assertEqual(len(self.triggers("rescheduled")), 1)
        self.assertEqual(len(self.triggers("cancelled")), 1)
        self.assertIn("Cannot come after all", self.note("cancelled the appointment").body)
