import { registry } from "@web/core/registry";
import { screenshot } from "@appointment_notify/../tests/tours/tour_utils";

// A receptionist takes a booking on the phone: the asked time is taken, they
// pick the nearest alternative and book it.
registry.category("web_tour.tours").add("appointment_notify_booking_by_phone", {
    steps: () => [
        {
            trigger: ".o_menu_sections .o_nav_entry:contains(New booking)",
            content: "Open the New booking form",
            run: "click",
        },
        {
            trigger: ".modal div[name=customer_phone] input",
            content: "The caller's phone number",
            run: "edit +31 6 23456789",
        },
        {
            trigger: ".modal div[name=customer_name] input",
            content: "The caller's name",
            run: "edit Deniz Demir",
        },
        {
            trigger: ".modal div[name=service_id] input",
            content: "The service",
            run: "edit Tour Haircut",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Haircut)",
            run: "click",
        },
        {
            trigger: ".modal div[name=staff_id] input",
            content: "The stylist the customer asks for",
            run: "edit Tour Anna",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Anna)",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_check]",
            content: "Check availability",
            run: "click",
        },
        {
            trigger: ".modal .alert-warning:contains(just taken)",
            content: "The time is taken: the nearest free times are listed",
        },
        screenshot("booking_conflict"),
        {
            trigger: ".modal div[name=alternative_ids] .o_data_row:first button[name=action_pick]",
            content: "Pick the first alternative",
            run: "click",
        },
        {
            trigger: ".modal .alert-success:contains(Available with Tour Anna)",
            content: "The alternative fits",
        },
        {
            trigger: ".modal button[name=action_book]",
            content: "Book",
            run: "click",
        },
        {
            trigger: ".o_form_view div[name=partner_ids]:contains(Deniz Demir)",
            content: "The appointment is created with the customer",
        },
        screenshot("booking_done"),
    ],
});
