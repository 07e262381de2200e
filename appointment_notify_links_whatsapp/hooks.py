# Default appointment templates that get the self-service button, and its text per language.
TRIGGERS = ("booked", "awaiting", "confirmed", "rescheduled", "reminder")
LABELS = {
    "en": "Manage booking",
    "tr": "Randevuyu yönet",
    "nl": "Afspraak beheren",
    "it": "Modifica o annulla",
    "uk": "Керувати записом",
}


def add_manage_buttons(env):
    """Give the default appointment templates the URL button and its variable.

    Only templates not approved yet (no ContentSid): an approved template is
    what Meta accepted; its business adds the button and submits it again.
    """
    for trigger in TRIGGERS:
        for lang, label in LABELS.items():
            template = env.ref(
                f"appointment_notify_whatsapp.whatsapp_template_event_{trigger}_{lang}",
                raise_if_not_found=False,
            )
            if not template or template.content_sid or template.manage_button:
                continue
            number = max(template.variable_ids.mapped("number") or [0]) + 1
            template.write(
                {
                    "variable_ids": [
                        (0, 0, {"number": number, "expression": "manage_path", "sample": "ABC123"})
                    ],
                    "manage_button": True,
                    "manage_button_label": label,
                }
            )


def post_init_hook(env):
    add_manage_buttons(env)
