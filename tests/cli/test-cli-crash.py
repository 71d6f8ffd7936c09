#!/usr/bin/env python3
"""lightwork-cli killed with SIGKILL at several points of a batch, then run
again: every image ends COMPLETED exactly once, the database is intact, and
no temporary or orphan blob is left. Real processes, a real SQLite file, real
HTTP to the fake Gemini server on 127.0.0.1.

TAP output; exits non-zero on failure."""
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

n_test = 0
failures = 0


def check(cond, what):
    global n_test, failures
    n_test += 1
    what = what.replace("\n", "\\n")   # one TAP line
    if cond:
        print(f"ok {n_test} - {what}")
    else:
        failures += 1
        print(f"not ok {n_test} - {what}")
    sys.stdout.flush()


def make_photos(dest, copies):
    """JPEG fixtures with a unique trailer each (bytes after the end marker
    change the hash, not the picture), so every copy is its own photo."""
    os.makedirs(dest)
    names = []
    jpegs = sorted(f for f in os.listdir(FIXTURES) if f.endswith(".jpg"))
    for i in range(copies):
        src = jpegs[i % len(jpegs)]
        data = open(os.path.join(FIXTURES, src), "rb").read()
        name = f"{i:03d}-{src}"
        with open(os.path.join(dest, name), "wb") as f:
            f.write(data + f"LIGHTWORK-TEST-{i}".encode())
        names.append(name)
    # One photo carries its own instruction.
    with open(os.path.join(dest, names[0] + ".txt"), "w") as f:
        f.write("Remove the crumbs on the left.\n")
    return names


def main():
    tmp = tempfile.mkdtemp(prefix="lw-crash-")
    server = None
    try:
        photos = os.path.join(tmp, "photos")
        data = os.path.join(tmp, "data")
        names = make_photos(photos, 60)
        server = subprocess.Popen([FAKE, "--latency-mean-ms=250", "--latency-sigma=0.3", "--seed=5"],
                                  stdout=subprocess.PIPE, text=True)
        port = None
        for line in server.stdout:
            if line.startswith("PORT "):
                port = int(line.split()[1])
                break
        check(port is not None, "fake Gemini server started")
        env = dict(os.environ,
                   LIGHTWORK_DATA_DIR=data,
                   GEMINI_API_KEY="fake-key",
                   LIGHTWORK_GEMINI_BASE_URL=f"http://127.0.0.1:{port}",
                   SECRET_BACKEND="file")
        cmd = [CLI, "process", photos, "--model", "nano_banana", "--concurrency", "3"]

        # Kill points, by progress read from the database as it happens:
        # mid-staging, then at several points of the processing.
        dbpath = os.path.join(data, "lightwork.db")

        def progress():
            try:
                c = sqlite3.connect(f"file:{dbpath}?mode=ro", uri=True, timeout=5)
                staged = c.execute("SELECT count(*) FROM images").fetchone()[0]
                done = c.execute("SELECT count(*) FROM images WHERE status='COMPLETED'").fetchone()[0]
                c.close()
                return staged, done
            except sqlite3.Error:
                return 0, 0

        points = [("staging", lambda s, d: s >= 8),
                  ("done 5", lambda s, d: d >= 5),
                  ("done 12", lambda s, d: d >= 12),
                  ("done 20", lambda s, d: d >= 20),
                  ("done 30", lambda s, d: d >= 30),
                  ("done 41", lambda s, d: d >= 41),
                  ("done 52", lambda s, d: d >= 52)]
        killed = []
        for name, reached in points:
            p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 60
            while p.poll() is None and time.time() < deadline:
                if reached(*progress()):
                    break
                time.sleep(0.01)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed.append(name)
            p.wait()
        check(len(killed) == len(points), f"killed with SIGKILL at {', '.join(killed)}")

        final = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=300)
        check(final.returncode == 0, f"the run after the kills finishes with exit 0 (got {final.returncode}: "
                                     f"{final.stderr.strip().splitlines()[-1:] if final.stderr else ''})")

        db = sqlite3.connect(os.path.join(data, "lightwork.db"))
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "PRAGMA integrity_check is ok")
        jobs = db.execute("SELECT id, status FROM jobs").fetchall()
        check(len(jobs) == 1, f"one job, continued each time (got {len(jobs)})")
        rows = db.execute("SELECT original_name, status, processed_key, sha256, specific_prompt FROM images").fetchall()
        check(len(rows) == len(names), f"every photo staged exactly once ({len(rows)} of {len(names)})")
        check(sorted(r[0] for r in rows) == sorted(names), "the staged photos are the given ones")
        check(all(r[1] == "COMPLETED" for r in rows),
              "every image COMPLETED: " + str(sorted(set(r[1] for r in rows))))
        check(len(set(r[2] for r in rows)) == len(rows), "each image has its own result")
        check(all(os.path.isfile(os.path.join(data, "blobs", r[2])) for r in rows if r[2]),
              "every result blob exists")
        check(any(r[4] and "crumbs" in r[4] for r in rows), "the sidecar instruction was staged")

        # Files: nothing temporary, nothing nobody names.
        blobs = os.path.join(data, "blobs")
        tmpfiles = []
        for root, _, files in os.walk(os.path.join(blobs, "tmp")):
            tmpfiles += files
        check(not tmpfiles, f"no temporary blob left ({len(tmpfiles)})")
        referenced = set()
        for cols in db.execute("SELECT original_key, thumb_key, processed_key FROM images"):
            referenced.update(c for c in cols if c)
        orphans = []
        for top in ("originals", "thumbs", "results"):
            for root, _, files in os.walk(os.path.join(blobs, top)):
                for f in files:
                    key = os.path.relpath(os.path.join(root, f), blobs)
                    if key not in referenced:
                        orphans.append(key)
        check(not orphans, f"no orphan blob left ({orphans[:3]})")

        # Running the same command once more sends nothing new.
        again = subprocess.run(cmd + ["--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, timeout=120)
        check(again.returncode == 0 and '"requests":0' in again.stdout.replace(" ", ""),
              "a finished job run again makes no request")
    finally:
        if server is not None:
            server.kill()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n_test}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
