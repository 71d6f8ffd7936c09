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
        squatter = os.path.join(out_dir, first.rsplit(".", 1)[0] + "-food.png")
        open(squatter, "w").write("mine")
        r = run(env, "export", "--out", out_dir)
        files = sorted(os.listdir(out_dir))
        check(r.returncode == 0 and len(files) == 17, f"export wrote 16 results beside the existing file ({len(files)})")
        check(open(squatter).read() == "mine", "the existing file is untouched")
        check(any(f.endswith("-food-2.png") for f in files), "the colliding name got -2")
        r = run(env, "export", "--out", out_dir)
        check(len(os.listdir(out_dir)) == 33, "a second export adds, never overwrites")

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
