from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.appointment_notify.tests.common import NotifyCase

# Code a Notifications Administrator could type into a variable: each is refused.
CODE = (
    "object.env['res.users'].browse(2).write({'name': 'Owned'})",
    "object.sudo()",
    "object.sudo",
    "object.env",
    "customer.write({'name': 'Owned'})",
    "customer.unlink",
    "object.__class__",
    "customer._name",
    "customer.name.upper",
    "when.upper",
    "customer.name or 'x'",
    "env",
    "message.id + 1",
)


@tagged("post_install", "-at_install", "appointment_notify_whatsapp")
class TestTemplateSecurity(NotifyCase):
    """Template variables are field paths: no code runs in the dispatcher's superuser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref(
            "appointment_notify_whatsapp.whatsapp_template_event_confirmed_en"
        )
        # Notifications Administrator, but no Settings rights.
        cls.notify_admin = new_test_user(
            cls.env,
            login="notify_admin_wa",
            groups="base.group_user,appointment_notify.group_notify_admin",
        )

    def set_expression(self, expression, user=None):
        line = self.template.variable_ids.filtered(lambda v: v.number == 1)
        template = self.template.with_user(user or self.notify_admin)
        template.write({"variable_ids": [(1, line.id, {"expression": expression})]})
        return line

    def test_code_refused_on_save(self):
        admin = self.env.ref("base.user_admin")
        admin_name = admin.name
        for expression in CODE:
            with self.subTest(expression=expression):
                with self.assertRaises(ValidationError) as err:
                    self.set_expression(expression)
                self.assertIn(f"'{expression}' is refused", str(err.exception))
        self.assertEqual(admin.name, admin_name)
        self.assertEqual(self.customer.name, "Ayla Customer")

    def test_fields_beyond_the_authors_rights_refused(self):
        """The Twilio auth token (Settings only) cannot be sent to a customer's phone."""
        with self.assertRaises(ValidationError) as err:
            self.set_expression("company.sms_twilio_auth_token")
        self.assertIn("you may not read the field 'sms_twilio_auth_token'", str(err.exception))
        with self.assertRaises(ValidationError):
            self.set_expression("message.partner_id.user_ids.presence_ids")
        # Unknown names and fields are named too.
        with self.assertRaises(ValidationError) as err:
            self.set_expression("object.no_such_field")
        self.assertIn("'no_such_field' is not a field of calendar.event", str(err.exception))
        with self.assertRaises(ValidationError) as err:
            self.set_expression("partner.name")
        self.assertIn("'partner' is not one of the names", str(err.exception))

    def test_stored_code_is_not_run(self):
        """A line stored before the check (or by SQL) fails to render; nothing is written."""
        line = self.template.variable_ids.filtered(lambda v: v.number == 1)
        self.env.cr.execute(
            "UPDATE appointment_notify_whatsapp_template_variable SET expression = %s "
            "WHERE id = %s",
            ("customer.write({'name': 'Owned'}) or customer.name", line.id),
        )
        line.invalidate_recordset(["expression"])
        event = self.make_event()
        context = self.template._eval_context(event, self.customer)
        with self.assertRaises(ValueError):
            self.template._render_variables(context)
        self.assertEqual(self.customer.name, "Ayla Customer")

    def test_field_paths_render_as_before(self):
        """Every shipped expression validates for a Notifications Administrator and renders."""
        variables = self.env["appointment.notify.whatsapp.template.variable"].search([])
        self.assertTrue(variables)
        for line in variables.with_user(self.notify_admin):
            self.assertFalse(line._expression_error(), line.expression)
        event = self.make_event(partners=self.customer | self.customer2)
        message = self.Message.search([], limit=1)
        context = self.template._eval_context(event, self.customer, message)
        values, text = self.template._render_variables(context)
        # Further variables may follow (the self-service button's, another addon's).
        self.assertEqual(
            {n: v for n, v in values.items() if int(n) <= 5},
            {
                "1": "Ayla Customer",
                "2": self.company.name,
                "3": context["when"],
                "4": self.company.phone,
                "5": str(message.id),
            },
        )
        self.assertIn("Hello Ayla Customer,", text)
        for expression, expected in (
            ("object.name", "Haircut"),
            ("object.partner_ids", "Ayla Customer, Bram Customer"),
            ("object.partner_ids.email", "ayla@example.com, bram@example.com"),
            ("object.user_id.company_id.name", self.company.name),
            ("customer.tz", "Europe/Amsterdam"),
            (" note ", "-"),
        ):
            with self.subTest(expression=expression):
                self.set_expression(expression)
                values, _text = self.template._render_variables(context)
                self.assertEqual(values["1"], expected)
