"""Migrations of default texts shipped in noupdate data: only where still as shipped.

A business edits its templates; an update must not undo that. So a migration
changes a record's text only when its English text is exactly the previous
shipped version, which is the new data file's text without the addition.
Its other languages are dropped when they are the previous shipped translation
(the addon's .po files), so that the module update, which loads translations
right after the migration, fills in the new ones; a business's own translation
is kept.
"""

import json
import logging
import os

import polib
from lxml import etree

from odoo.tools import SQL
from odoo.tools.misc import file_path

_logger = logging.getLogger(__name__)


def _field_text(node):
    """The value of a <field> as Odoo's data loader reads it (text or html)."""
    if node.get("type") == "html":
        return "".join(etree.tostring(n, method="html", encoding="unicode") for n in node)
    return node.text or ""


def _shipped_translations(module):
    """{language code: {English: translation}} from the addon's i18n/*.po files."""
    translations = {}
    try:
        folder = file_path(f"{module}/i18n")
    except FileNotFoundError:
        return translations

    for name in os.listdir(folder):
        if name.endswith(".po"):
            entries = polib.pofile(os.path.join(folder, name))
            translations[name[:-3]] = {e.msgid: e.msgstr for e in entries if e.msgstr}
    return translations


def _translate(field, text, terms):
    if callable(field.translate):  # html/xml: term by term
        return field.translate(lambda term: terms.get(term) or term, text)
    return terms.get(text) or text


def update_shipped_texts(env, module, data_file, changes):
    """Apply ``changes`` {record id: {field: addition}} of ``module``'s ``data_file``.

    ``addition`` is the exact text the new version added to the field: the
    previous shipped text is the new one without it. Returns the records changed.
    """
    tree = etree.parse(file_path(f"{module}/{data_file}"))
    po = _shipped_translations(module)
    changed = []
    for record_id, field_additions in changes.items():
        record = env.ref(f"{module}.{record_id}", raise_if_not_found=False)
        node = tree.find(f".//record[@id='{record_id}']")
        if not record or node is None:
            continue
        for name, addition in field_additions.items():
            new = _field_text(node.find(f"field[@name='{name}']"))
            if addition not in new:
                raise ValueError(f"{module}.{record_id}.{name}: the addition is not in the data")
            old = new.replace(addition, "", 1)
            if _replace_if_shipped(record, name, old, new, po):
                changed.append(record)
    return changed


def _replace_if_shipped(record, name, old, new, po):
    field = record._fields[name]
    cr = record.env.cr
    cr.execute(
        SQL(
            "SELECT %s FROM %s WHERE id = %s",
            SQL.identifier(name),
            SQL.identifier(record._table),
            record.id,
        )
    )
    stored = cr.fetchone()[0]

    def norm(text):
        # As a write stores it (html is sanitized).
        return str(field.convert_to_cache(text, record)) if text else text

    if not field.translate:
        if stored != norm(old):
            _logger.info("%s of %s edited: left as it is", name, record)
            return False
        record.write({name: new})
        return True
    stored = stored or {}
    english = stored.get("en_US")
    if english != norm(old):
        _logger.info("%s of %s edited: left as it is", name, record)
        return False
    value = {"en_US": norm(new)}
    for lang, text in stored.items():
        if lang == "en_US":
            continue
        terms = po.get(lang) or po.get(lang.split("_")[0]) or {}
        if text not in (english, norm(_translate(field, old, terms))):
            value[lang] = text  # the business's own translation
    cr.execute(
        SQL(
            "UPDATE %s SET %s = %s WHERE id = %s",
            SQL.identifier(record._table),
            SQL.identifier(name),
            json.dumps(value),
            record.id,
        )
    )
    record.invalidate_recordset([name])
    return True
