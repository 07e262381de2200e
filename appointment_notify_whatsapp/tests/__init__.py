from . import (
    test_install,
    test_whatsapp_fallback,
    test_whatsapp_send,
    test_whatsapp_template,
    test_whatsapp_webhooks,
)
