import { registry } from "@web/core/registry";
import { screenshot } from "@appointment_notify/../tests/tours/tour_utils";

registry.category("web_tour.tours").add("appointment_notify_consent", {
    steps: () => [
        {
            trigger: "a.nav-link:contains(Notification consent)",
            content: "Open the customer's consent",
            run: "click",
        },
        {
            trigger: "div[name=notify_consent_email] input[type=checkbox]",
            content: "The customer agrees to e-mails about their bookings",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o-mail-Message:contains(turned on)",
            content: "The change is logged with its source",
        },
        screenshot("customer_consent"),
    ],
});
