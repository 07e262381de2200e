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

registry.category("web_tour.tours").add("appointment_notify_quick_setup", {
    steps: () => [
        {
            trigger: "#notify_quick_setup button",
            content: "Settings > Notifications: open the quick setup",
            run: "click",
        },
        {
            trigger: ".modal div[name=channel] input[data-value=email]",
            content: "One channel: e-mail",
            run: "click",
        },
        {
            trigger: ".modal div[name=reminder_3h] input[type=checkbox]",
            content: "A reminder 3 hours before, besides the one 24 hours before",
            run: "click",
        },
        {
            trigger: ".modal div[name=review_request] input[type=checkbox]",
            content: "Ask for a review after the visit",
            run: "click",
        },
        screenshot("quick_setup_choices"),
        {
            trigger: ".modal button[name=action_apply]",
            content: "Create the rules",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains(Reminder 3 h before)",
            content: "The rules made are shown",
        },
        {
            trigger: ".modal .alert-warning:contains(Reminder the salon's way)",
            content: "The rule edited by hand is named and left alone",
        },
        screenshot("quick_setup_done"),
        {
            trigger: ".modal .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});

registry.category("web_tour.tours").add("appointment_notify_receptionist_retry", {
    steps: () => [
        {
            trigger: ".o_menu_sections a:contains(Customer messages)",
            content: "The Calendar app: the customers' messages",
            run: "click",
        },
        {
            trigger: ".o_searchview_dropdown_toggler",
            content: "Filters",
            run: "click",
        },
        {
            trigger: ".o-dropdown-item:contains(Failed today)",
            content: "What failed today",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains(Failed today)",
            content: "The filter is on",
            run: "click",
        },
        screenshot("receptionist_failed_today"),
        {
            trigger: ".o_data_row:contains(Deniz Demir) td[name=record_name]",
            content: "Open the failed message",
            run: "click",
        },
        {
            trigger: ".alert-danger:contains(Mailbox full)",
            content: "Why it failed",
        },
        screenshot("receptionist_failed_message"),
        {
            trigger: ".o_form_view button[name=action_retry]",
            content: "Send it again",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Scheduled)",
            content: "Scheduled again",
        },
    ],
});
