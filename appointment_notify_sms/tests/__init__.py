from . import (
    test_i18n,
    test_install,
    test_migration,
    test_phone,
    test_sms_netgsm,
    test_sms_send,
    test_sms_template,
    test_sms_webhooks,
    test_tours,
)
