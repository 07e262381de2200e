from . import (
    test_install,
    test_template_security,
    test_whatsapp_fallback,
    test_whatsapp_send,
    test_whatsapp_sms_provider,
    test_whatsapp_template,
    test_whatsapp_webhooks,
)
