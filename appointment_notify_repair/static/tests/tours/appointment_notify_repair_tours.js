import { registry } from "@web/core/registry";
import { screenshot } from "@appointment_notify/../tests/tours/tour_utils";

registry.category("web_tour.tours").add("appointment_notify_repair_desk_ready", {
    steps: () => [
        {
            trigger: "button[name=action_repair_end]:visible",
            content: "The repair is done: mark the order ready",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[aria-checked=true]:contains(Repaired)",
            content: "The order is repaired",
        },
        {
            trigger: "button[name=action_view_notify_messages]:contains(1)",
            content: "Its 'ready for pickup' message is planned",
        },
    ],
});

registry.category("web_tour.tours").add("appointment_notify_repair_desk_chatter", {
    steps: () => [
        {
            trigger: ".o-mail-Message:contains(ready for pickup)",
            content: "The message sent to the customer is in the order's chatter",
        },
        screenshot("repair_order_chatter"),
    ],
});
