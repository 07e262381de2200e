import logging
import re

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.misc import file_path

_logger = logging.getLogger(__name__)

MODULE = "appointment_notify_repair_whatsapp"
DATA = "data/whatsapp_template_data.xml"
TRIGGERS = ("created", "status_changed", "confirmed", "under_repair", "done", "rescheduled")
TRIGGERS += ("reminder",)
LANGS = ("en", "tr", "nl", "it", "uk")
SAMPLE = "https://shop.example.com/appointment_notify/manage/ABC123"


def added_sentence(body, number):
    """The sentence 19.0.1.1.0 appended to the body: the one with {{number}}."""
    match = re.search(r" [^.!?]*\{\{%d\}\}[^.!?]*\.$" % number, body)
    return match.group(0) if match else ""


def migrate(cr, version):
    """The repair templates' text links to the order's status page (manage_url).

    Only templates not approved at Meta yet (no ContentSid) whose text is still
    the shipped one: the new text is the data file's; the old, without its
    last sentence, the one with the link's variable.
    """
    env = api.Environment(cr, SUPERUSER_ID, {})
    tree = etree.parse(file_path(f"{MODULE}/{DATA}"))
    for trigger in TRIGGERS:
        for lang in LANGS:
            record_id = f"whatsapp_template_repair_{trigger}_{lang}"
            template = env.ref(f"{MODULE}.{record_id}", raise_if_not_found=False)
            node = tree.find(f".//record[@id='{record_id}']/field[@name='body']")
            if not template or node is None:
                continue
            new = node.text or ""
            number = max(template.variable_ids.mapped("number") or [0]) + 1
            sentence = added_sentence(new, number)
            if not sentence or template.content_sid or template.body != new.replace(sentence, ""):
                _logger.info("%s: approved or edited, left as it is", record_id)
                continue
            template.write(
                {
                    "body": new,
                    "variable_ids": [
                        (0, 0, {"number": number, "expression": "manage_url", "sample": SAMPLE})
                    ],
                }
            )
