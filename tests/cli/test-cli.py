#!/usr/bin/env python3
"""lightwork-cli as a person uses it: Ctrl+C stops cleanly and the same
command continues; exit status 0 / 2 / 1; bad input is listed with its
reason and loses nothing; --json is machine-readable; export never
overwrites; the key never shows. Real processes against the fake Gemini
server on 127.0.0.1. TAP output."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

CLI = os.environ["LW_CLI"]
FAKE = os.environ["LW_FAKE_GEMINI"]
FIXTURES = os.environ["LW_FIXTURES_DIR"]
KEY = "fake-key-7f3a9c21-do-not-print"

n_test = 0
failures = 0


def check(cond, what):
    global n_test, failures
    n_test += 1
    # one TAP line: output quoted in a description must not start a line of its own
    what = what.replace("\n", "\\n")
    print(f"{'ok' if cond else 'not ok'} {n_test} - {what}")
    sys.stdout.flush()
    if not cond:
        failures += 1


def start_server(*args):
    server = subprocess.Popen([FAKE, f"--key={KEY}", *args], stdout=subprocess.PIPE, text=True)
    for line in server.stdout:
        if line.startswith("PORT "):
            return server, int(line.split()[1])
    raise RuntimeError("fake server did not start")


def copy_photos(dest, n):
    os.makedirs(dest, exist_ok=True)
    jpegs = sorted(f for f in os.listdir(FIXTURES) if f.endswith(".jpg"))
    for i in range(n):
        src = jpegs[i % len(jpegs)]
        data = open(os.path.join(FIXTURES, src), "rb").read()
        with open(os.path.join(dest, f"p{i:02d}-{src}"), "wb") as f:
            f.write(data + f"#{i}".encode())


def run(env, *args, timeout=120):
    return subprocess.run([CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout)


def set_setting(data_dir, key, value):
    """What the window does through lw_jobs_set_default_module and its
    preferences: a row of the settings table."""
    c = sqlite3.connect(os.path.join(data_dir, "lightwork.db"), timeout=10)
    c.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))
    c.commit()
    c.close()


def newest_job(env):
    r = run(env, "jobs", "--json")
    return json.loads(r.stdout)[0]


def job_rules(tmp):
    """The job rules lightwork-cli shares with the window through the jobs
    service (issue 11): each case failed before the CLI went through it."""
    data = os.path.join(tmp, "d4")
    env = dict(os.environ, LIGHTWORK_DATA_DIR=data, GEMINI_API_KEY="", SECRET_BACKEND="file")
    env.pop("LIGHTWORK_GEMINI_BASE_URL", None)
    gem, loc = os.path.join(tmp, "rules-gemini"), os.path.join(tmp, "rules-local")
    copy_photos(gem, 2)
    copy_photos(loc, 2)

    # A Gemini job with no key pauses and is left launched ...
    r = run(env, "process", gem, "--model", "nano_banana")
    check(r.returncode == 1 and "paused" in r.stderr, f"a Gemini job with no key pauses (exit {r.returncode})")
    paused = newest_job(env)
    check(paused["status"] == "PAUSED" and "pause" in paused, f"the paused job says so ({paused['status']})")
    # ... and a local run beside it is not its business.
    r = run(env, "process", loc, "--model", "local")
    local = newest_job(env)
    check(r.returncode == 0 and local["model"] == "local" and local["completed"] == 2,
          f"a local run finishes beside a paused Gemini job (exit {r.returncode}: {r.stderr.strip()[-120:]})")

    # Cancelling a finished job is refused, and it stays finished.
    r = run(env, "cancel", str(local["id"]))
    after = [j for j in json.loads(run(env, "jobs", "--json").stdout) if j["id"] == local["id"]][0]
    check(r.returncode == 1 and "not running" in r.stderr, f"cancel of a COMPLETED job is refused (exit {r.returncode})")
    check(after["status"] == "COMPLETED", f"the job stays COMPLETED ({after['status']})")
    r = run(env, "cancel", str(paused["id"]))
    check(r.returncode == 0, f"cancel of a launched job still works (exit {r.returncode})")

    # --concurrency out of range: resume refuses it as process does, with the
    # settings table's words, and changes nothing.
    p = run(env, "process", loc, "--model", "local", "--concurrency", "99")
    q = run(env, "resume", str(paused["id"]), "--concurrency", "99")
    status = [j for j in json.loads(run(env, "jobs", "--json").stdout) if j["id"] == paused["id"]][0]["status"]
    check(p.returncode == 1 and q.returncode == 1, f"--concurrency 99 refused by process and resume ({p.returncode}, {q.returncode})")
    check(p.stderr and p.stderr == q.stderr and "16" in p.stderr, f"with the same message ({p.stderr.strip()!r} / {q.stderr.strip()!r})")
    check(status == "CANCELLED", f"the refused resume left the job as it was ({status})")
    r = run(env, "retry-failed", str(paused["id"]), "--rpm", "-2")
    check(r.returncode in (0, 1), "a negative --rpm keeps the setting")

    # The default module (the window's "ui.module") deleted from the CLI:
    # new jobs get the built-in default again.
    r = run(env, "modules", "create", "--name", "Shoes", "--prompt", "Make the shoes shine.")
    custom = r.stdout.strip()
    check(r.returncode == 0 and custom.startswith("custom"), f"a custom module ({custom})")
    set_setting(data, "ui.module", custom)
    mod = os.path.join(tmp, "rules-module")
    copy_photos(mod, 1)
    r = run(env, "process", mod, "--model", "local")
    check(r.returncode == 0 and newest_job(env)["module"] == custom, "process without --module uses the window's module")
    r = run(env, "modules", "delete", custom)
    check(r.returncode == 0, f"the default module can be deleted (exit {r.returncode})")
    mod2 = os.path.join(tmp, "rules-module-2")
    copy_photos(mod2, 1)
    r = run(env, "process", mod2, "--model", "local")
    check(r.returncode == 0 and newest_job(env)["module"] == "food",
          f"then process without --module uses food (exit {r.returncode}: {r.stderr.strip()[-120:]})")
    set_setting(data, "ui.module", "custom-gone")
    mod3 = os.path.join(tmp, "rules-module-3")
    copy_photos(mod3, 1)
    r = run(env, "process", mod3, "--model", "local")
    check(r.returncode == 0 and newest_job(env)["module"] == "food", "a remembered module that is gone falls back to food")

    # A folder loop is saved with the job, not only printed.
    looped = os.path.join(tmp, "rules-loop")
    copy_photos(looped, 1)
    os.symlink(looped, os.path.join(looped, "again"))
    r = run(env, "process", looped, "--model", "local")
    st = json.loads(run(env, "status", "--json").stdout)
    check(r.returncode == 0 and "loop" in r.stderr, f"the loop is said (exit {r.returncode})")
    check(any("again" in x["path"] and "loop" in x["reason"] for x in st["rejected"]),
          f"status --json lists the loop under rejected ({st['rejected']})")
    r = run(env, "status")
    check("skipped:" in r.stdout and "loop" in r.stdout, "status lists it too")

    # The export.template setting names saved files when --template is not given.
    set_setting(data, "export.template", "{index}-{module}-{name}.{ext}")
    out1 = os.path.join(tmp, "rules-out-1")
    r = run(env, "export", "--out", out1)
    files = os.listdir(out1) if os.path.isdir(out1) else []
    check(r.returncode == 0 and files and all(f.startswith("0001-food-") for f in files),
          f"export follows export.template ({files})")
    out2 = os.path.join(tmp, "rules-out-2")
    tpl = os.path.join(tmp, "rules-template")
    copy_photos(tpl, 2)
    r = run(env, "process", tpl, "--model", "local", "--out", out2)
    files = sorted(os.listdir(out2)) if os.path.isdir(out2) else []
    check(r.returncode == 0 and len(files) == 2 and files[0].startswith("0001-food-"),
          f"process --out follows export.template ({files})")
    out3 = os.path.join(tmp, "rules-out-3")
    r = run(env, "export", "--out", out3, "--template", "x-{name}.{ext}")
    files = os.listdir(out3) if os.path.isdir(out3) else []
    check(r.returncode == 0 and len(files) == 2 and all(f.startswith("x-") for f in files), "--template still wins")

    # Models and the default concurrency come from the tables.
    r = run(env, "process", "--help")
    check("nano_banana, nano_banana_pro or local" in r.stdout and "1–16; default 2" in r.stdout,
          "process --help lists the models table and the concurrency setting's range and default")
    r = run(env, "process", loc, "--model", "banana")
    check(r.returncode == 1 and "nano_banana, nano_banana_pro or local" in r.stderr,
          "an unknown model's error lists the models table")
    src = os.environ.get("LW_SOURCE_DIR")
    if src:
        literal = []
        for name in sorted(os.listdir(os.path.join(src, "src", "cli"))):
            if name.endswith(".c"):
                for n, line in enumerate(open(os.path.join(src, "src", "cli", name), encoding="utf-8"), 1):
                    code = line.split("/*")[0].split("//")[0]
                    if line.lstrip().startswith("*"):
                        continue   # inside a comment
                    if '"nano_banana' in code or '"local"' in code or "default 2" in code:
                        literal.append(f"{name}:{n}")
        check(not literal, f"no model list or default concurrency written in src/cli ({literal})")


def main():
    tmp = tempfile.mkdtemp(prefix="lw-cli-")
    servers = []
    try:
        # --- Ctrl+C, then the same command continues -----------------------
        server, port = start_server("--latency-mean-ms=300", "--latency-sigma=0")
        servers.append(server)
        env = dict(os.environ, LIGHTWORK_DATA_DIR=os.path.join(tmp, "d1"), GEMINI_API_KEY=KEY,
                   LIGHTWORK_GEMINI_BASE_URL=f"http://127.0.0.1:{port}", SECRET_BACKEND="file")
        photos = os.path.join(tmp, "photos")
        copy_photos(photos, 16)
        cmd = [CLI, "process", photos, "--model", "nano_banana", "--concurrency", "2"]
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        db = os.path.join(tmp, "d1", "lightwork.db")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
                done = c.execute("SELECT count(*) FROM images WHERE status='COMPLETED'").fetchone()[0]
                c.close()
                if done >= 4:
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.02)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        check(p.returncode == 130, f"Ctrl+C exits 130 (got {p.returncode})")
        check("again" in err, "Ctrl+C says how to continue")
        c = sqlite3.connect(db)
        status = dict(c.execute("SELECT status, count(*) FROM images GROUP BY status").fetchall())
        job = c.execute("SELECT status FROM jobs").fetchone()[0]
        c.close()
        check("PROCESSING" not in status, f"no image left PROCESSING after Ctrl+C ({status})")
        check(job == "CANCELLED", f"the job is CANCELLED ({job})")
        done_before = status.get("COMPLETED", 0)
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        check(r.returncode == 0, f"the same command continues and finishes (exit {r.returncode})")
        check("Continuing job" in r.stderr, "it says it continues the job")
        c = sqlite3.connect(db)
        completed = c.execute("SELECT count(*) FROM images WHERE status='COMPLETED'").fetchone()[0]
        attempts = c.execute("SELECT max(attempt) FROM images").fetchone()[0]
        c.close()
        check(completed == 16, f"all 16 completed ({completed}; {done_before} before Ctrl+C)")
        check(attempts <= 2, f"nothing claimed more than twice (max attempt {attempts})")

        # --- --json, jobs, status -------------------------------------------
        r = run(env, "jobs", "--json")
        jobs = json.loads(r.stdout)
        check(r.returncode == 0 and len(jobs) == 1 and jobs[0]["completed"] == 16, "jobs --json")
        r = run(env, "status", "--json")
        st = json.loads(r.stdout)
        check(len(st["images"]) == 16 and all(i["status"] == "COMPLETED" for i in st["images"]), "status --json")

        # --- export never overwrites ----------------------------------------
        out_dir = os.path.join(tmp, "out")
        os.makedirs(out_dir)
        first = sorted(os.listdir(photos))[0]
        # A saved result keeps its original's format (docs/ARCHITECTURE.md, "Results").
        ext = "jpg" if first.lower().endswith((".jpg", ".jpeg")) else "png"
        squatter = os.path.join(out_dir, first.rsplit(".", 1)[0] + "-food." + ext)
        open(squatter, "w").write("mine")
        r = run(env, "export", "--out", out_dir)
        files = sorted(os.listdir(out_dir))
        check(r.returncode == 0 and len(files) == 17, f"export wrote 16 results beside the existing file ({len(files)})")
        check(open(squatter).read() == "mine", "the existing file is untouched")
        check(any(f.endswith("-food-2." + ext) for f in files), "the colliding name got -2")
        r = run(env, "export", "--out", out_dir)
        check(len(os.listdir(out_dir)) == 17 and "16 already saved there, skipped" in r.stdout,
              f"a second export skips what is there byte for byte, never overwrites ({r.stdout.strip()!r})")

        # --- exit 2 when some photos fail -----------------------------------
        server2, port2 = start_server("--latency-mean-ms=20", "--rate=safety-image=0.5", "--seed=3")
        servers.append(server2)
        env2 = dict(env, LIGHTWORK_DATA_DIR=os.path.join(tmp, "d2"),
                    LIGHTWORK_GEMINI_BASE_URL=f"http://127.0.0.1:{port2}")
        r = run(env2, "process", photos, "--model", "nano_banana", "--module", "product")
        check(r.returncode == 2, f"some photos refused → exit 2 (got {r.returncode})")
        r = run(env2, "status")
        check("failed:" in r.stdout, "status lists the failures with their reason")

        # --- bad input: listed, the rest goes on; nothing readable → exit 1 --
        bad = os.path.join(tmp, "bad")
        os.makedirs(bad)
        open(os.path.join(bad, "empty.jpg"), "wb").close()
        open(os.path.join(bad, "notes.jpg"), "w").write("this is not a photo")
        data = open(os.path.join(FIXTURES, "fruits.jpg"), "rb").read()
        open(os.path.join(bad, "cut.jpg"), "wb").write(data[: len(data) // 2])
        env3 = dict(env, LIGHTWORK_DATA_DIR=os.path.join(tmp, "d3"))
        r = run(env3, "process", bad, "--model", "nano_banana")
        check(r.returncode == 1 and "nothing to process" in r.stderr, f"only bad files → exit 1 ({r.returncode})")
        for name, reason in (("empty.jpg", "empty"), ("notes.jpg", "not an image"), ("cut.jpg", "truncated")):
            check(any(name in l and reason in l for l in r.stderr.splitlines()), f"{name}: “{reason}” is said")
        shutil.copy(os.path.join(FIXTURES, "orange.jpg"), bad)
        r = run(env3, "process", bad, "--model", "nano_banana", "--json")
        events = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        check(r.returncode == 0, f"with one good photo the batch goes on (exit {r.returncode})")
        check(sum(1 for e in events if e.get("event") == "rejected") == 3, "three rejections in --json")
        fin = [e for e in events if e.get("event") == "finished"]
        check(fin and fin[0]["completed"] == 1, "one completed in --json")

        # --- usage errors -------------------------------------------------------
        r = run(env3, "process", bad, "--model", "nano_bananas")
        check(r.returncode == 1 and "unknown model" in r.stderr, "an unknown model is an error")
        r = run(env3, "frobnicate")
        check(r.returncode == 1, "an unknown command is an error")
        r = run(env3, "--version")
        check(r.returncode == 0 and r.stdout.startswith("lightwork-cli "), "--version")

        # --- job rules shared with the window (issue 11) -------------------------
        job_rules(tmp)

        # --- the key never shows ------------------------------------------------
        everything = ""
        for d in ("d1", "d2", "d3"):
            for root, _, files in os.walk(os.path.join(tmp, d)):
                for f in files:
                    everything += open(os.path.join(root, f), "rb").read().decode("latin-1")
        check(KEY not in everything, "the key is in no file of the data folders")
    finally:
        for s in servers:
            s.kill()
            s.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n_test}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
