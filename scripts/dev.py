"""The project's two commands: ``./dev run`` and ``./dev test``.

Both prepare the same things and reuse them on the next call:

* a virtualenv in ``.venv`` (with the system site packages, so an Odoo installed
  on the machine is used as is) holding ``requirements.txt``;
* Odoo 19.0: importable already, or installed from ``ODOO_SRC`` (a path to an
  Odoo 19.0 source tree), or cloned from Odoo's upstream 19.0 branch;
* PostgreSQL: the server answering on localhost, or a private one started in
  ``.cache/pg`` with initdb + pg_ctl;
* template databases holding the addons' dependency closure, cloned with
  ``CREATE DATABASE ... TEMPLATE`` so a test database costs a second, not minutes.
"""

import argparse
import getpass
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
VENV = ROOT / ".venv"
DATA_DIR = CACHE / "data"
ODOO_UPSTREAM = "https://github.com/odoo/odoo.git"

CORE_ADDONS = [
    "appointment_notify",
    "appointment_notify_sms",
    "appointment_notify_whatsapp",
    "appointment_notify_booking",
    "appointment_notify_links",
    "appointment_notify_links_sms",
    "appointment_notify_links_whatsapp",
    "appointment_notify_whatsapp_assistant",
]
REPAIR_ADDON = "appointment_notify_repair"
# Glue addons -> the channel addon each needs; they install by themselves when
# repair support and their channel are both installed.
REPAIR_GLUE_ADDONS = {
    "appointment_notify_repair_sms": "appointment_notify_sms",
    "appointment_notify_repair_whatsapp": "appointment_notify_whatsapp",
    "appointment_notify_repair_links": "appointment_notify_links",
}
REPAIR_ADDONS = [REPAIR_ADDON, *REPAIR_GLUE_ADDONS]
# Glue addons -> the Odoo addon beside which they install by themselves; that
# addon is installed last on the test database and brings the glue along.
ODOO_GLUE_ADDONS = {"appointment_notify_google_calendar": "google_calendar"}
ALL_ADDONS = CORE_ADDONS + REPAIR_ADDONS + list(ODOO_GLUE_ADDONS)
# The addons' dependency closure, installed once into a cached template database.
TEMPLATE_MODULES = ["mail", "calendar", "resource", "phone_validation", "sms", "sms_twilio"]
DEMO_DB = "appointment_notify_demo"
BENCH_ADDONS = ["appointment_notify", "appointment_notify_sms", "appointment_notify_booking"]


def say(msg):
    print(f"[dev] {msg}", flush=True)


def die(msg, code=2):
    print(f"[dev] ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


def run(cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, **kw)


# --------------------------------------------------------------------------
# virtualenv and Python packages
# --------------------------------------------------------------------------


VENV_HINT = (
    "On Debian/Ubuntu: apt-get install python3-venv python3-dev (and gcc, libpq-dev "
    "to build psycopg2); or run with PYTHON=<a Python 3.10+ that has venv and pip>."
)


def ensure_venv():
    """Re-execute this script inside .venv, creating and filling it if needed."""
    vpy = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    # Debian's python3 without python3-venv leaves a .venv without pip: start over.
    if not (VENV / "bin" / "pip").exists():
        shutil.rmtree(VENV, ignore_errors=True)
        say(f"creating virtualenv .venv with {sys.executable} (with system site packages)")
        cmd = [sys.executable, "-m", "venv", "--system-site-packages", str(VENV)]
        if run(cmd, check=False).returncode or not (VENV / "bin" / "pip").exists():
            shutil.rmtree(VENV, ignore_errors=True)
            die(f"{sys.executable} could not create a virtualenv with pip. {VENV_HINT}")
    req = ROOT / "requirements.txt"
    digest = hashlib.sha256(req.read_bytes()).hexdigest()
    stamp = VENV / ".requirements.sha256"
    if not stamp.exists() or stamp.read_text() != digest:
        say("installing requirements.txt into .venv")
        res = run(
            [str(vpy), "-m", "pip", "install", "-q", "-r", str(req)],
            check=False,
        )
        if res.returncode:
            die("pip could not install requirements.txt (see above)")
        stamp.write_text(digest)
    os.execv(str(vpy), [str(vpy), __file__, *sys.argv[1:]])


def odoo_version():
    try:
        import odoo.release
    except ImportError:
        return None
    return odoo.release.version_info[:2]


def ensure_odoo():
    """Make Odoo 19.0 importable, or stop saying what is missing."""
    version = odoo_version()
    if version == (19, 0):
        return
    if version:
        die(f"Odoo {version} is importable, these addons need 19.0; use another venv")
    src = os.environ.get("ODOO_SRC")
    if src:
        src = Path(src).resolve()
        if not (src / "odoo" / "release.py").exists():
            die(f"ODOO_SRC={src} is not an Odoo source tree (no odoo/release.py)")
    else:
        src = CACHE / "odoo-19.0"
        if not (src / "odoo" / "release.py").exists():
            say(f"Odoo is not importable and ODOO_SRC is unset: cloning {ODOO_UPSTREAM}")
            res = run(
                ["git", "clone", "--depth", "1", "--branch", "19.0", ODOO_UPSTREAM, str(src)],
                check=False,
            )
            if res.returncode:
                shutil.rmtree(src, ignore_errors=True)
                die(
                    "Odoo 19.0 is not importable by "
                    f"{sys.executable}, ODOO_SRC is not set, and cloning "
                    f"{ODOO_UPSTREAM} (branch 19.0) failed. Set ODOO_SRC to an "
                    "Odoo 19.0 source tree, or install Odoo 19.0 into this Python."
                )
    if os.environ.get("AN_DEV_ODOO_INSTALLED"):
        die(f"Odoo was installed into .venv from {src} but {sys.executable} cannot import it")
    say(f"installing Odoo's Python requirements into .venv (a few minutes, once); Odoo: {src}")
    reqs = [
        line
        for line in (src / "requirements.txt").read_text().splitlines()
        # python-ldap needs libldap headers and only serves auth_ldap.
        if not line.startswith("python-ldap")
    ]
    req_file = CACHE / "odoo-requirements.txt"
    CACHE.mkdir(exist_ok=True)
    req_file.write_text("\n".join(reqs) + "\n")
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    if run([*pip, "-r", str(req_file)], check=False).returncode:
        die(f"could not install Odoo's Python requirements from {src}. {VENV_HINT}")
    # A path file, as an editable install would write, without writing into the
    # source tree (which may be read-only or shared).
    site_packages = Path(sysconfig.get_paths()["purelib"])
    (site_packages / "odoo-src.pth").write_text(f"{src}\n")
    res = run([sys.executable, "-c", "import odoo.release"], check=False)
    if res.returncode:
        die(f"Odoo from {src} still does not import")
    # Path files are read when Python starts: start again, with Odoo importable.
    say("Odoo is installed in .venv; restarting")
    os.environ["AN_DEV_ODOO_INSTALLED"] = "1"
    os.execv(sys.executable, [sys.executable, __file__, *sys.argv[1:]])


def odoo_addons_path():
    import odoo

    base = Path(next(iter(odoo.__path__))).parent
    paths = [str(ROOT)]
    if (base / "addons").is_dir():
        paths.insert(0, str(base / "addons"))
    return ",".join(paths)


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def pg_connect(params, dbname="postgres"):
    import psycopg2

    return psycopg2.connect(dbname=dbname, connect_timeout=3, **params)


def pg_answers(params):
    try:
        pg_connect(params).close()
        return True
    except Exception:  # noqa: BLE001 (any failure means: not usable)
        return False


def pg_binary(name):
    found = shutil.which(name)
    if found:
        return found
    for cand in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(cand)
    return None


def ensure_postgres():
    """Connection parameters of a PostgreSQL we may use, starting one if needed."""
    user = os.environ.get("PGUSER") or getpass.getuser()
    system = {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": int(os.environ.get("PGPORT", "5432")),
        "user": user,
    }
    if pg_answers(system):
        return system
    private = {"host": "127.0.0.1", "port": 55432, "user": "odoo"}
    if pg_answers(private):
        return private
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if not (initdb and pg_ctl):
        die(
            f"no PostgreSQL answers on {system['host']}:{system['port']} and the "
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        )
    pgdata = CACHE / "pg" / "data"
    sock = CACHE / "pg"
    # PostgreSQL refuses to run as root: then its files belong to 'postgres'.
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if not (pgdata / "PG_VERSION").exists():
        say(f"no PostgreSQL answers: starting a private one in {pgdata}")
        pgdata.mkdir(parents=True, exist_ok=True)
        if as_owner:
            shutil.chown(sock, "postgres")
            shutil.chown(pgdata, "postgres")
        cmd = [*as_owner, initdb, "-D", str(pgdata), "-U", "odoo", "--auth=trust", "-E", "UTF8"]
        if run(cmd, check=False).returncode:
            die(f"initdb could not create a PostgreSQL cluster in {pgdata}")
    opts = f"-p 55432 -c listen_addresses=127.0.0.1 -k {sock}"
    cmd = [*as_owner, pg_ctl, "-D", str(pgdata), "-o", opts, "-l", str(sock / "log"), "-w", "start"]
    if run(cmd, check=False).returncode or not pg_answers(private):
        die(f"the private PostgreSQL in {pgdata} did not start; see {sock / 'log'}")
    return private


def db_exists(pg, name):
    conn = pg_connect(pg)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return bool(cr.fetchone())
    finally:
        conn.close()


def db_admin(pg, sql):
    conn = pg_connect(pg)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql)
    finally:
        conn.close()


def drop_db(pg, name):
    db_admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(DATA_DIR / "filestore" / name, ignore_errors=True)


def clone_db(pg, template, name):
    drop_db(pg, name)
    db_admin(pg, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    src = DATA_DIR / "filestore" / template
    if src.is_dir():
        shutil.copytree(src, DATA_DIR / "filestore" / name)


# --------------------------------------------------------------------------
# Odoo
# --------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_cmd(pg, db, *args):
    return [
        sys.executable,
        "-m",
        "odoo",
        "server",
        f"--addons-path={odoo_addons_path()}",
        f"--data-dir={DATA_DIR}",
        f"--db_host={pg['host']}",
        f"--db_port={pg['port']}",
        f"--db_user={pg['user']}",
        f"--screenshots={ROOT / 'screenshots'}",
        "--http-interface=127.0.0.1",
        "-d",
        db,
        *args,
    ]


def template_db(pg, modules):
    """Name of a cached database with ``modules`` installed (with demo data)."""
    import odoo.release

    key = f"{odoo.release.serie}|{','.join(modules)}|demo|{odoo_addons_path()}"
    name = "an_tpl_" + hashlib.sha1(key.encode()).hexdigest()[:10]
    if db_exists(pg, name):
        return name
    building = name + "_building"
    drop_db(pg, building)
    say(f"building template database {name} ({', '.join(modules)}); about 100 s, once")
    cmd = odoo_cmd(pg, building, "-i", ",".join(modules), "--with-demo", "--no-http")
    res = run([*cmd, "--stop-after-init", "--log-level=warn"], check=False)
    if res.returncode:
        die(f"building the template database failed (exit {res.returncode})")
    db_admin(pg, f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    fs = DATA_DIR / "filestore"
    if (fs / building).is_dir():
        (fs / building).rename(fs / name)
    return name


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def ensure_browser():
    """The tours need Chromium; install it where we may, else say it is missing."""
    if os.environ.get("ODOO_BROWSER_BIN") or any(shutil.which(b) for b in BROWSERS):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("Chromium is missing (the browser tours need it): apt-get install chromium")
        run(["apt-get", "update", "-qq"], check=False)
        run(["apt-get", "install", "-y", "-qq", "chromium"], check=False)
    if any(shutil.which(b) for b in BROWSERS):
        return True
    say(
        "ERROR: Chromium is not installed, so the browser tours cannot run. Install it "
        "(Debian/Ubuntu: apt-get install chromium) or set ODOO_BROWSER_BIN."
    )
    return False


def install_quietly(pg, db, modules):
    cmd = odoo_cmd(pg, db, "-i", ",".join(modules), "--stop-after-init", "--log-level=warn")
    cmd.append("--no-http")
    if run(cmd, check=False).returncode:
        die(f"installing {', '.join(modules)} into {db} failed")


RESULT_RE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
# Odoo skips tours when the browser or its driver is missing: not a pass.
SKIPPED_TOUR_RE = re.compile(
    r"Chrome executable not found|websocket-client module is not installed"
)
LOG_LINE_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ ")
LOG_LEVEL_RE = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
MAX_TRACEBACK_LINES = 80


def run_odoo_tests(pg, db, install, tags, label, update=False):
    """Install (or update) ``install`` in ``db`` with tests; returns (passed, failed)."""
    cmd = odoo_cmd(pg, db, "-u" if update else "-i", ",".join(install), "--test-enable")
    # A port of its own: several test runs (and `./dev run`) may share the machine.
    cmd += [f"--http-port={free_port()}", f"--gevent-port={free_port()}"]
    cmd += [f"--test-tags={tags}", "--stop-after-init", "--log-level=test"]
    say(f"Odoo tests [{label}]: {' '.join(cmd[3:])}")
    log_path = CACHE / f"odoo-tests-{db}-{label}.log"
    errors, counts = [], None
    # Lines that continue an ERROR record (its traceback) are shown too, so
    # that a failure in CI can be understood from the CI output alone.
    shown_continuation = None
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            log.write(line)
            if shown_continuation is not None and not LOG_LINE_RE.match(line):
                if shown_continuation < MAX_TRACEBACK_LINES:
                    print(line, end="", flush=True)
                shown_continuation += 1
                continue
            shown_continuation = None
            if SKIPPED_TOUR_RE.search(line):
                errors.append(line.rstrip())
                print(line, end="", flush=True)
            if LOG_LEVEL_RE.match(line):
                errors.append(line.rstrip())
                print(line, end="", flush=True)
                shown_continuation = 0
            elif " FAIL: " in line or " ERROR: " in line or "Ran " in line:
                print(line, end="", flush=True)
            found = RESULT_RE.search(line)
            if found and "odoo.tests.result" in line:
                counts = tuple(int(g) for g in found.groups())
        rc = proc.wait()
    if counts is None:
        say(f"[{label}] Odoo printed no test result (exit {rc}); log: {log_path}")
        return 0, 1
    failed, errored, total = counts
    say(f"[{label}] {total} tests, {failed} failed, {errored} errors; log: {log_path}")
    bad = failed + errored
    # An ERROR logged outside a test's own expectations (a view that does not
    # load, a crash in a cron) is a failure even when every test passed.
    if errors and not bad:
        say(f"[{label}] {len(errors)} ERROR or skipped-tour lines in the log count as a failure")
        bad = 1
    if rc and not bad:
        bad = 1
    return max(total - failed - errored, 0), bad


# --------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------


def run_lint():
    checks = [
        ("README.rst up to date", [sys.executable, "scripts/gen_readme.py", "--check"]),
        ("ruff format", ["ruff", "format", "--check", "."]),
        ("ruff check", ["ruff", "check", "--no-fix", "."]),
        (
            "pylint-odoo",
            [
                sys.executable,
                "-m",
                "pylint",
                "--rcfile=.pylintrc-mandatory",
                *ALL_ADDONS,
            ],
        ),
    ]
    passed = failed = 0
    for label, cmd in checks:
        if cmd[0] == "ruff":
            cmd = [sys.executable, "-m", *cmd]
        res = run(cmd, check=False, cwd=ROOT)
        ok = res.returncode == 0
        say(f"lint {label}: {'ok' if ok else 'FAILED'}")
        passed, failed = passed + ok, failed + (not ok)
    return passed, failed


def run_packaging():
    """Each addon builds as a wheel (whool) that installs into a clean virtualenv."""
    out = CACHE / "wheels"
    shutil.rmtree(out, ignore_errors=True)
    for addon in ALL_ADDONS:
        cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)]
        if run([*cmd, addon], check=False, cwd=ROOT, capture_output=True).returncode:
            say(f"packaging: the wheel of {addon} does not build")
            return 0, 1
    venv = CACHE / "wheel-venv"
    shutil.rmtree(venv, ignore_errors=True)
    # Beside Odoo: the machine's packages are visible, ours come only from the wheels.
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    vpy = str(venv / "bin" / "python")
    wheels = sorted(str(w) for w in out.glob("*.whl"))
    pip = [vpy, "-m", "pip", "install", "-q", "--no-deps", *wheels]
    if run(pip, check=False).returncode:
        say("packaging: the wheels do not install")
        return 0, 1
    check = (
        "import sysconfig, pathlib; site = pathlib.Path(sysconfig.get_paths()['purelib']);"
        f"missing = [a for a in {ALL_ADDONS!r} "
        "if not (site / 'odoo' / 'addons' / a / '__manifest__.py').exists()];"
        "raise SystemExit(f'not installed: {missing}' if missing else 0)"
    )
    ok = run([vpy, "-c", check], check=False).returncode == 0
    say(f"packaging: {len(wheels)} wheels built and installed: {'ok' if ok else 'FAILED'}")
    return int(ok), int(not ok)


PYTEST_RE = re.compile(r"(\d+) (passed|failed|errors?)")


def run_pytest(pg, extra):
    env = dict(os.environ)
    env.update(
        AN_DB_HOST=pg["host"],
        AN_DB_PORT=str(pg["port"]),
        AN_DB_USER=pg["user"],
        AN_ADDONS_PATH=odoo_addons_path(),
        AN_DATA_DIR=str(DATA_DIR),
        AN_PYTHON=sys.executable,
    )
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests", *extra]
    say(f"end-to-end tests: {' '.join(cmd[2:])}")
    proc = subprocess.run(
        cmd,
        check=False,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    print(proc.stdout, end="")
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    counts = {"passed": 0, "failed": 0, "error": 0}
    for num, kind in PYTEST_RE.findall(last):
        counts[kind.rstrip("s")] += int(num)
    bad = counts["failed"] + counts["error"]
    if proc.returncode not in (0, 5) and not bad:
        bad = 1
    return counts["passed"], bad


def cmd_test(args):
    ensure_odoo()
    pg = ensure_postgres()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    results = []
    if "lint" in args.only:
        results.append(run_lint())
        results.append(run_packaging())
    if "odoo" in args.only:
        if not ensure_browser():
            results.append((0, 1))
        addons = args.addons or ALL_ADDONS
        # One test database per checkout: two clones may test side by side.
        db = args.db or "an_test_" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:6]
        if not (args.update and db_exists(pg, db)):
            clone_db(pg, template_db(pg, TEMPLATE_MODULES), db)
            args.update = False
        core = [a for a in addons if a in CORE_ADDONS]
        repair_addons = [a for a in addons if a in REPAIR_ADDONS]
        if core:
            tags = args.tags or ",".join(f"/{a}" for a in core)
            results.append(run_odoo_tests(pg, db, core, tags, "core", args.update))
        if not args.update:
            # What the repair addons need and was not tested above: the core, and
            # the channel of each glue addon asked for (without their tests).
            channels = [REPAIR_GLUE_ADDONS[a] for a in repair_addons if a in REPAIR_GLUE_ADDONS]
            needed = [a for a in ("appointment_notify", *channels) if a not in core]
            if needed and (repair_addons or not core):
                install_quietly(pg, db, needed)
        if repair_addons:
            # repair is installed afterwards on purpose: its addon and the glue
            # addons must then install by themselves (auto_install) and bring
            # their tests along.
            tags = args.tags or ",".join(f"/{a}" for a in repair_addons)
            repair = repair_addons if args.update else ["repair"]
            results.append(run_odoo_tests(pg, db, repair, tags, "repair", args.update))
        glue_addons = [a for a in addons if a in ODOO_GLUE_ADDONS]
        if glue_addons:
            tags = args.tags or ",".join(f"/{a}" for a in glue_addons)
            install = glue_addons if args.update else [ODOO_GLUE_ADDONS[a] for a in glue_addons]
            results.append(run_odoo_tests(pg, db, install, tags, "glue", args.update))
        if not (args.keep or args.update):
            drop_db(pg, db)
    if "e2e" in args.only:
        results.append(run_pytest(pg, args.pytest_args))
    passed = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed or not passed else 0


def cmd_run(args):
    ensure_odoo()
    pg = ensure_postgres()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    db = args.db
    if not db_exists(pg, db):
        tpl = template_db(pg, TEMPLATE_MODULES)
        say(f"creating demo database {db}")
        clone_db(pg, tpl, db)
        try:
            install_quietly(pg, db, CORE_ADDONS + ["repair"])
        except SystemExit:
            drop_db(pg, db)
            raise
    else:
        say(f"reusing demo database {db}")
    cmd = odoo_cmd(pg, db, f"--http-port={args.port}", f"--db-filter=^{db}$")
    say(f"Odoo 19.0 with the addons: http://localhost:{args.port} (admin / admin)")
    proc = subprocess.Popen(cmd)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()


def cmd_bench(args):
    ensure_odoo()
    pg = ensure_postgres()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    db = "an_bench"  # kept after the run, to look into; replaced by the next run
    clone_db(pg, template_db(pg, TEMPLATE_MODULES), db)
    install_quietly(pg, db, BENCH_ADDONS)
    conf = CACHE / "bench-odoo.conf"
    conf.write_text(
        "[options]\n"
        f"addons_path = {odoo_addons_path()}\n"
        f"data_dir = {DATA_DIR}\n"
        f"db_host = {pg['host']}\ndb_port = {pg['port']}\ndb_user = {pg['user']}\n"
        "log_level = warn\n"
    )
    cmd = [sys.executable, str(ROOT / "bench" / "run.py"), "--db", db, "--conf", str(conf)]
    if args.quick:
        cmd.append("--quick")
    if args.only:
        cmd += ["--only", args.only]
    return run(cmd, check=False).returncode


def main():
    parser = argparse.ArgumentParser(prog="./dev", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="start Odoo with the addons and demo data")
    p_run.add_argument("--db", default=DEMO_DB)
    p_run.add_argument("--port", type=int, default=8069)
    p_test = sub.add_parser("test", help="lint, Odoo tests, end-to-end tests")
    p_test.add_argument(
        "--only",
        default="lint,odoo,e2e",
        type=lambda s: s.split(","),
        help="comma-separated parts to run: lint, odoo, e2e (default: all)",
    )
    p_test.add_argument("--addons", type=lambda s: s.split(","), help="addons to test")
    p_test.add_argument("--tags", help="Odoo --test-tags (default: the addons' own)")
    p_test.add_argument("--db", help="test database name (default an_test)")
    p_test.add_argument("--keep", action="store_true", help="keep the test database")
    p_test.add_argument(
        "--update",
        action="store_true",
        help="fast loop: update the addons in the kept test database instead of a fresh one",
    )
    p_test.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    p_bench = sub.add_parser("bench", help="benchmarks; writes bench/RESULTS.md")
    p_bench.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    p_bench.add_argument("--only", choices=["booking", "assistant"], help="only these benchmarks")
    args = parser.parse_args()
    ensure_venv()
    started = time.time()
    code = {"test": cmd_test, "run": cmd_run, "bench": cmd_bench}[args.command](args)
    if args.command == "test":
        say(f"done in {time.time() - started:.0f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
