"""Each language addresses customers in one form only: the formal one.

A business writing to its customers uses the polite form, and the shipped
texts must not mix it with the familiar one: Dutch "u" (not "je/jij"),
Turkish "siz" (not "sen"), Italian "Lei" (not "tu"), Ukrainian "ви" (not
"ти"), spelled in lower case inside a sentence.

Checked: every text a customer reads in the .po files of all the addons (mail
template subjects and bodies, SMS template bodies, the WhatsApp auto-replies)
and the per-language WhatsApp template records (data XML, and the records in
the database when WhatsApp is installed). Texts addressed to the staff are not
checked: they follow the conventions of Odoo's own translations.
"""

import re
from pathlib import Path

import polib
from lxml import etree

from odoo.modules import get_module_path
from odoo.tests import TransactionCase, tagged

ADDONS = (
    "appointment_notify",
    "appointment_notify_sms",
    "appointment_notify_whatsapp",
    "appointment_notify_repair",
    "appointment_notify_repair_sms",
    "appointment_notify_repair_whatsapp",
)
# What a customer reads: these template fields...
CUSTOMER_FIELDS = (
    "model:mail.template,subject:",
    "model:mail.template,body_html:",
    "model:sms.template,body:",
)
# ...and the WhatsApp auto-replies (also quoted in the help of their settings).
CUSTOMER_MSGIDS = (
    "This number does not take messages.",
    "can no longer be cancelled here",
)

# A letter, or an apostrophe inside a word (zv'yazhis', dell'ordine).
_WORD = r"[\w'’ʼ]"


def _words(*words):
    """Any of ``words`` as a whole word, case-insensitive."""
    return re.compile(rf"(?<!{_WORD})(?:{'|'.join(words)})(?!{_WORD})", re.IGNORECASE)


# The familiar forms each language must not use. Only unambiguous words:
# a pronoun or a verb form that exists only for "you (familiar)".
INFORMAL = {
    # Dutch: "u/uw". "je" only as a whole word (not in "jeugd", "bijeen").
    "nl": _words("je", "jij", "jou", "jouw", "jouwe", "jezelf", "jullie"),
    # Turkish: "siz" with -(I)nIz. Pronouns of "sen", 2nd person possessives of
    # "randevu" (the form with "siz" is "randevunuz"), familiar imperatives.
    "tr": _words(
        "sen",
        "seni",
        "sana",
        "senin",
        "sende",
        "senden",
        "seninle",
        "randevun",
        "randevunu",
        "randevuna",
        "randevunda",
        "randevundan",
        "dokun",
        "bizi ara",
    ),
    # Italian: "Lei" (la/le/suo/sua, "ci chiami", "chiami il"). "ciao" greets a
    # friend; "chiama il/al" is the familiar "call": "chiama" alone is also "he calls".
    "it": _words(
        "tu",
        "ti",
        "te",
        "tuo",
        "tua",
        "tuoi",
        "tue",
        "ciao",
        "hai",
        "puoi",
        "vuoi",
        "vieni",
        "aspettavi",
        "chiamaci",
        "contattaci",
        "scrivici",
        "raccontacelo",
        "facci",
        "dicci",
        "chiama il",
        "chiama al",
        "rispondi",
        "tocca",
        "contatta",
    ),
    # Ukrainian: "ви" (ваш, вам, телефонуйте). Forms of "ти", familiar imperatives.
    "uk": _words(
        "ти",
        "тебе",
        "тобі",
        "тобою",
        "твій",
        "твоя",
        "твоє",
        "твої",
        "твого",
        "твоєї",
        "твоєму",
        "твоїй",
        "твоїм",
        "твоїх",
        "твою",
        "твоїми",
        "зателефонуй",
        "телефонуй",
        "натисни",
        "напиши",
        "звернися",
        "зв['’ʼ]яжися",
        "приходь",
        "відповідай",
    ),
}
# Ukrainian: one spelling of the polite form, lower case inside a sentence
# ("дякуємо за ваш візит"); a capital only where the sentence starts.
UK_CAPITAL_INSIDE = re.compile(
    rf"(?<=[\w,;:] )(?:Ви|Вас|Вам|Вами|Ваш|Ваша|Ваше|Ваші|Вашого|Вашої|Вашому|Вашій"
    rf"|Вашим|Ваших|Вашу|Вашими)(?!{_WORD})"
)
# Markup and placeholders are not words of the text.
MARKUP = re.compile(r"<[^>]*>|\{\{.*?\}\}|%\(\w+\)s|%s", re.DOTALL)


def offending_words(lang, text):
    """The familiar (or wrongly spelt polite) words of ``text`` in ``lang``."""
    text = re.sub(r"\s+", " ", MARKUP.sub(" ", text))
    found = [m.group(0) for m in INFORMAL[lang].finditer(text)]
    if lang == "uk":
        found += [m.group(0) for m in UK_CAPITAL_INSIDE.finditer(text)]
    return found


def customer_facing(entry):
    return any(occ.startswith(CUSTOMER_FIELDS) for occ, _line in entry.occurrences) or any(
        part in entry.msgid for part in CUSTOMER_MSGIDS
    )


def po_texts(lang):
    """(where, text) of every translated customer text of the addons in ``lang``."""
    for addon in ADDONS:
        path = get_module_path(addon, display_warning=False)
        po_path = path and Path(path, "i18n", f"{lang}.po")
        if not po_path or not po_path.is_file():
            continue
        for entry in polib.pofile(str(po_path)):
            if entry.msgstr and not entry.obsolete and customer_facing(entry):
                yield f"{addon}/i18n/{lang}.po: {entry.msgid[:60]!r}", entry.msgstr


def whatsapp_xml_texts():
    """(lang, where, text) of the WhatsApp template records in the addons' data."""
    for addon in ADDONS:
        path = get_module_path(addon, display_warning=False)
        if not path:
            continue
        for xml in sorted(Path(path, "data").glob("*.xml")):
            for record in etree.parse(str(xml)).iter("record"):
                if record.get("model") != "appointment.notify.whatsapp.template":
                    continue
                lang_ref = record.find("field[@name='lang_id']").get("ref", "")
                lang = lang_ref.removeprefix("base.lang_").split("_")[0]
                for name in ("body", "confirm_label", "cancel_label"):
                    field = record.find(f"field[@name='{name}']")
                    if field is not None and field.text:
                        yield (
                            lang,
                            f"{addon}/data/{xml.name}: {record.get('id')}.{name}",
                            field.text,
                        )


@tagged("post_install", "-at_install")
class TestFormOfAddress(TransactionCase):
    def assertFormal(self, lang, texts):
        bad = [
            f"{where}: {words}" for where, text in texts if (words := offending_words(lang, text))
        ]
        if bad:
            self.fail(
                f"{len(bad)} customer texts in {lang!r} use the familiar form:\n" + "\n".join(bad)
            )

    def test_word_lists(self):
        """The lists catch the familiar form, not the polite one or other words."""
        for lang, familiar, polite in (
            ("nl", "Bel je ons? Jouw afspraak.", "Uw afspraak; jeugd, bijeen, Jeroen."),
            ("tr", "Randevun onaylandı. Bizi ara.", "Randevunuz onaylandı. Bizi arayın."),
            (
                "it",
                "Ciao, il tuo appuntamento. Chiamaci.",
                "Gentile cliente, il suo tè. Ci chiami.",
            ),
            ("uk", "Твій запис. Зателефонуй нам.", "Ваш запис. Зателефонуйте нам, Тимуре."),
            ("uk", "Дякуємо за Ваш візит.", "Дякуємо за ваш візит. Ваш запис."),
        ):
            with self.subTest(lang=lang):
                self.assertTrue(offending_words(lang, familiar))
                self.assertFalse(offending_words(lang, polite))

    def test_po_customer_texts_are_formal(self):
        for lang in INFORMAL:
            texts = list(po_texts(lang))
            with self.subTest(lang=lang):
                # 9 appointment e-mails (subject and body) at least.
                self.assertGreaterEqual(len(texts), 18, "the customer texts were found")
                self.assertFormal(lang, texts)

    def test_whatsapp_templates_are_formal(self):
        records = list(whatsapp_xml_texts())
        self.assertTrue(records, "the WhatsApp template records were found")
        for lang in INFORMAL:
            with self.subTest(lang=lang, source="data"):
                texts = [(where, text) for code, where, text in records if code == lang]
                self.assertTrue(texts)
                self.assertFormal(lang, texts)
        if "appointment.notify.whatsapp.template" not in self.env:
            return
        templates = self.env["appointment.notify.whatsapp.template"].with_context(active_test=False)
        for template in templates.search([]):
            lang = (template.lang_id.code or "").split("_")[0]
            if lang in INFORMAL:
                with self.subTest(lang=lang, source="database", template=template.name):
                    self.assertFormal(lang, [(template.name, template.body or "")])
