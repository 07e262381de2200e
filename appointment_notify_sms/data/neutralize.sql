-- A copy of the database must not text customers: without an Account SID (Twilio)
-- or a NetGSM password the SMS channel runs in test mode (sms_twilio already
-- blanks the auth token).
UPDATE res_company
   SET sms_twilio_account_sid = NULL,
       notify_netgsm_password = NULL,
       notify_sms_from_number = NULL,
       notify_sms_messaging_service_sid = NULL,
       notify_sms_alphanumeric_sender = NULL;
