import { registry } from "@web/core/registry";
import { screenshot, selectField } from "@appointment_notify/../tests/tours/tour_utils";

registry.category("web_tour.tours").add("appointment_notify_admin_settings", {
    steps: () => [
        {
            trigger: "#notify_manual_confirmation input[type=checkbox]",
            content: "Turn on manual confirmation",
            run: "click",
        },
        screenshot("settings_notifications"),
        {
            trigger: ".o_form_button_save",
            content: "Save the settings",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "#notify_manual_confirmation input[type=checkbox]:checked",
            content: "The setting is saved",
        },
    ],
});

registry.category("web_tour.tours").add("appointment_notify_admin_rules", {
    steps: () => [
        {
            trigger: "div[name=name] input",
            content: "Name the reminder rule",
            run: "edit Reminder 24 h before by SMS",
        },
        ...selectField("trigger", "Reminder before start"),
        {
            trigger: "div[name=offset_amount] input",
            run: "edit 24",
        },
        ...selectField("offset_unit", "Hours"),
        ...selectField("channel", "SMS"),
        {
            trigger: "div[name=sms_template_id] input",
            run: "edit reminder",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Appointment SMS: reminder)",
            run: "click",
        },
        {
            trigger: "div[name=working_hours_only] input[type=checkbox]",
            content: "Send in working hours only",
            run: "click",
        },
        screenshot("rule_form"),
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
            content: "The rule is saved",
        },
        {
            trigger: "button[name=action_send_test]",
            content: "Send a test",
            run: "click",
        },
        {
            trigger: ".modal div[name=destination] input",
            run: "edit +31 6 12345678",
        },
        screenshot("send_a_test"),
        {
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            trigger: ".o_form_view div[name=destination]:contains(+31 6 12345678)",
            content: "The test message is in Messages",
        },
        {
            trigger: ".o_breadcrumb a:contains(Reminder 24 h before)",
            content: "Back to the rule",
            run: "click",
        },
        {
            trigger: ".o_form_button_create",
            content: "A second rule: the review request",
            run: "click",
        },
        {
            trigger: "div[name=name] input",
            run: "edit Review request 2 h after by e-mail",
        },
        ...selectField("trigger", "Follow-up after end"),
        {
            trigger: "div[name=offset_amount] input",
            run: "edit 2",
        },
        {
            trigger: "div[name=mail_template_id] input",
            run: "edit Review request",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Appointment: Review request)",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
    ],
});

registry.category("web_tour.tours").add("appointment_notify_admin_messages", {
    steps: () => [
        {
            trigger: ".o_data_row td:contains(+31612345678)",
            content: "The test message shows in Messages, with its number",
        },
        screenshot("messages"),
    ],
});

// "MM/DD/YYYY 10:00:00" (the admin's en_US format), `days` from today.
function inDays(days) {
    const date = new Date();
    date.setDate(date.getDate() + days);
    const month = String(date.getMonth() + 1).padStart(2, "0");
    const day = String(date.getDate()).padStart(2, "0");
    return `${month}/${day}/${date.getFullYear()} 10:00:00`;
}

registry.category("web_tour.tours").add("appointment_notify_receptionist", {
    steps: () => [
        {
            trigger: "div[name=name] input",
            content: "Book an appointment",
            run: "edit Haircut",
        },
        {
            trigger: "div[name=partner_ids] input",
            run: "edit Selin",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Selin Kaya)",
            run: "click",
        },
        {
            trigger: "div[name=start] button",
            content: "Open the date picker",
            run: "click",
        },
        {
            // Tomorrow, not calendar's default (the next half hour): a booking saved
            // just after that moment would already have started.
            trigger: "#start_0",
            content: "Book it for tomorrow",
            run: `edit ${inDays(1)}`,
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            trigger: "a.nav-link:contains(Customer notifications)",
            run: "click",
        },
        {
            trigger: "div[name=notify_message_ids] .o_data_row:contains(Reminder before start):contains(Scheduled)",
            content: "The SMS reminder is scheduled",
        },
        screenshot("appointment_reminder"),
        {
            trigger: "button[name=action_notify_confirm]",
            content: "Confirm the booking",
            run: "click",
        },
        {
            trigger: "div[name=notify_message_ids] .o_data_row:contains(Confirmed)",
            content: "The confirmation is planned",
        },
        {
            trigger: "div[name=start] button",
            content: "Open the date picker",
            run: "click",
        },
        {
            trigger: "#start_0",
            content: "Move the appointment a few days later",
            run: `edit ${inDays(4)}`,
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: "div[name=notify_message_ids] .o_data_row:contains(Rescheduled)",
            content: "The customer will hear of the new time",
        },
        {
            trigger: "button[name=action_notify_cancel]",
            content: "Cancel the booking",
            run: "click",
        },
        {
            trigger: ".modal-footer button.btn-primary",
            content: "Yes, cancel it",
            run: "click",
        },
        {
            trigger: "div[name=notify_message_ids] .o_data_row:contains(Reminder before start):contains(Cancelled)",
            content: "The reminder is cancelled",
        },
        screenshot("appointment_cancelled"),
    ],
});
