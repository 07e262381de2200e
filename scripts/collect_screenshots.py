"""Copy the newest tour screenshots into the addons' static/description/.

``./dev test`` runs the browser tours, which save screenshots of the main
screens into screenshots/ (see README.rst); this picks the newest of each and
puts it where the addon's index.html (its App Store page) shows it.
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WANTED = {
    "settings_notifications": "appointment_notify",
    "messages": "appointment_notify",
    "customer_consent": "appointment_notify",
    "appointment_reminder": "appointment_notify",
    "rule_form": "appointment_notify_sms",
    "send_a_test": "appointment_notify_sms",
    "appointment_cancelled": "appointment_notify_sms",
    "repair_order_chatter": "appointment_notify_repair",
    "manage_page": "appointment_notify_links",
}


def main():
    for name, addon in WANTED.items():
        shots = sorted(
            (ROOT / "screenshots").glob(f"**/{name}_2*.png"), key=lambda p: p.stat().st_mtime
        )
        if not shots:
            print(f"no screenshot {name} yet: run ./dev test first")
            continue
        target = ROOT / addon / "static" / "description" / f"screenshot_{name}.png"
        shutil.copyfile(shots[-1], target)
        print(f"{shots[-1].relative_to(ROOT)} -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
