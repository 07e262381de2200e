from odoo.tests import BaseCase, tagged

from ..tools.phone import normalize_mobile


@tagged("post_install", "-at_install", "appointment_notify_sms")
class TestPhoneNormalisation(BaseCase):
    """Numbers as customers type them, in the seeds' countries and the US."""

    def test_numbers_by_country(self):
        cases = [
            # (stored, customer's or company's country, E.164, problem)
            ("0532 123 45 67", "TR", "+905321234567", None),
            ("+90 (532) 123-4567", None, "+905321234567", None),
            ("0212 555 12 12", "TR", "+902125551212", "not_mobile"),  # Istanbul landline
            ("06 12345678", "NL", "+31612345678", None),
            ("020 555 0100", "NL", "+31205550100", "not_mobile"),
            ("333 123 4567", "IT", "+393331234567", None),
            ("06 6982 1234", "IT", "+390669821234", "not_mobile"),  # Rome landline
            ("067 123 4567", "UA", "+380671234567", None),
            ("044 123 4567", "UA", "+380441234567", "not_mobile"),  # Kyiv landline
            ("(201) 555-0123", "US", "+12015550123", None),  # fixed-or-mobile: accepted
            ("12 34", "NL", None, "invalid"),
            ("0612345678", None, None, "invalid"),  # no country: a guess is not made
            ("", "NL", None, "invalid"),
        ]
        for number, country, e164, problem in cases:
            with self.subTest(number=number, country=country):
                self.assertEqual(normalize_mobile(number, country), (e164, problem))
