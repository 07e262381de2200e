"""Write each addon's README.rst from its manifest and readme/ fragments.

A small stand-in for OCA's oca-gen-addon-readme (not on PyPI). ``--check`` exits 1
when a README.rst is out of date or is not valid reStructuredText, which the
README's test command runs as lint.
"""

import ast
import io
import re
import sys
from pathlib import Path

import docutils.core

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("CONTEXT", "Context"),
    ("DESCRIPTION", None),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
    ("CONTRIBUTORS", "Contributors"),
]


def md_to_rst(text):
    """Enough Markdown for our fragments: code spans and headings."""
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)
    lines = []
    for line in text.splitlines():
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            title = heading.group(2)
            lines += [title, "~" * len(title)]
        else:
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    title = manifest["name"]
    out = ["=" * len(title), title, "=" * len(title), ""]
    out += [
        f".. |badge| image:: https://img.shields.io/badge/licence-{manifest['license']}-blue.png",
        "",
        (
            f"|badge| ``{addon.name}`` {manifest['version']}, "
            f"{manifest.get('development_status', 'Beta')}"
        ),
        "",
        manifest["summary"],
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for fragment, heading in SECTIONS:
        path = addon / "readme" / f"{fragment}.md"
        if not path.exists():
            continue
        if heading:
            out += [heading, "=" * len(heading), ""]
        out += [md_to_rst(path.read_text()), ""]
    out += ["Maintainers", "===========", "", f"{manifest['author']}, {manifest['website']}", ""]
    return "\n".join(out).rstrip() + "\n"


def rst_problems(text):
    """docutils' warnings and errors: Odoo renders README.rst with docutils for
    the Apps page and the App Store, where a broken list shows as raw text."""
    stream = io.StringIO()
    docutils.core.publish_string(
        text,
        writer_name="null",
        settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": stream},
    )
    return stream.getvalue().strip()


def main():
    check = "--check" in sys.argv
    stale = []
    invalid = 0
    for manifest in sorted(ROOT.glob("*/__manifest__.py")):
        addon = manifest.parent
        target = addon / "README.rst"
        text = render(addon)
        problems = rst_problems(text)
        if problems:
            print(f"{addon.name}/readme renders to invalid reStructuredText:\n{problems}")
            invalid += 1
        if target.exists() and target.read_text() == text:
            continue
        if check:
            stale.append(str(target.relative_to(ROOT)))
        else:
            target.write_text(text)
    if stale:
        print("out of date (run python scripts/gen_readme.py):", ", ".join(stale))
    return 1 if stale or invalid else 0


if __name__ == "__main__":
    sys.exit(main())
