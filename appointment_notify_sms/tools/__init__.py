from . import phone, sms_encoding, throttle
