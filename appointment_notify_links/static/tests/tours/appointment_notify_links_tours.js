import { registry } from "@web/core/registry";

// A customer on a phone, on the page behind the link of their confirmation e-mail:
// moves the appointment to the first free time offered, then cancels it.
registry.category("web_tour.tours").add("appointment_notify_links_manage", {
    steps: () => [
        {
            trigger: "#manage_reschedule input[name=start]:first",
            content: "Pick the first free time",
            run: "click",
        },
        {
            trigger: "button[name=reschedule]",
            content: "Move the appointment",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "#manage_done:contains(has a new time)",
            content: "The page says the appointment moved",
        },
        {
            trigger: "#manage_reason",
            content: "Give a reason",
            run: "edit Cannot come after all",
        },
        {
            trigger: "button[name=cancel]",
            content: "Cancel the appointment",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "#manage_done:contains(is cancelled)",
            content: "The page says the appointment is cancelled",
        },
        {
            trigger: "body:not(:has(#manage_cancel))",
            content: "Nothing left to do on a cancelled appointment",
        },
    ],
});
