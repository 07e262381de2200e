from . import phone, sms_encoding, throttle, twilio_client, netgsm_client
