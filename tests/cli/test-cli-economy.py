#!/usr/bin/env python3
"""lightwork-cli process --economy (docs/ARCHITECTURE.md, "Economy"): a
1,000-photo economy job against the fake Gemini server's Batch API, with 3 %
of the entries failing and lightwork-cli killed with SIGKILL while its
batches are out, then run again: every photo ends COMPLETED with its own
result (the fake writes each input's SHA-256 into its PNG), delivered once,
none sent live; the cost shown is half the live price. Then an interrupted
economy run: its cancel reaches the server. Real processes, a real SQLite
file, real HTTP on 127.0.0.1.

TAP output; exits non-zero on failure."""
import json
import os
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

CLI = os.environ["LW_CLI"]
FAKE = os.environ["LW_FAKE_GEMINI"]
N_PHOTOS = 1000
PRICE_FAST = 0.0336   # LW_MODEL_PRICE_FAST (src/base/lw-models.h)

n_test = 0
failures = 0


def check(cond, what):
    global n_test, failures
    n_test += 1
    what = what.replace("\n", "\\n")   # one TAP line
    print(f"{'ok' if cond else 'not ok'} {n_test} - {what}")
    sys.stdout.flush()
    if not cond:
        failures += 1


def png(width, height, rgb):
    """A small PNG of one colour (each photo its own)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def png_text(data, key):
    """The tEXt chunk key of a PNG, or None."""
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt" and body.split(b"\x00", 1)[0] == key.encode():
            return body.split(b"\x00", 1)[1].decode()
        pos += 12 + length
    return None


def make_photos(dest, n):
    os.makedirs(dest)
    for i in range(n):
        rgb = ((i * 37) % 256, (i * 101) % 256, (i // 256) * 40 % 256)
        with open(os.path.join(dest, f"p{i:04d}.png"), "wb") as f:
            f.write(png(12 + i % 5, 10 + i % 3, rgb))


def start_fake(*args):
    server = subprocess.Popen([FAKE, "--seed=5", *args], stdout=subprocess.PIPE, text=True)
    for line in server.stdout:
        if line.startswith("PORT "):
            return server, int(line.split()[1])
    return server, None


def stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/stats", timeout=10) as r:
        return json.loads(r.read())


def run_env(data, port):
    return dict(os.environ, LIGHTWORK_DATA_DIR=data, GEMINI_API_KEY="fake-key",
                LIGHTWORK_GEMINI_BASE_URL=f"http://127.0.0.1:{port}", SECRET_BACKEND="file",
                LIGHTWORK_ECONOMY_POLL_MS="40", LIGHTWORK_ECONOMY_BATCH_SIZE="250")


def query(dbpath, sql):
    try:
        c = sqlite3.connect(f"file:{dbpath}?mode=ro", uri=True, timeout=5)
        value = c.execute(sql).fetchone()[0]
        c.close()
        return value
    except sqlite3.Error:
        return 0


def economy_job(tmp):
    photos = os.path.join(tmp, "photos")
    data = os.path.join(tmp, "data")
    make_photos(photos, N_PHOTOS)
    server, port = start_fake("--batch-entry-failure-rate=0.03", "--batch-polls=3")
    try:
        check(port is not None, "fake Gemini server started")
        env = run_env(data, port)
        dbpath = os.path.join(data, "lightwork.db")
        cmd = [CLI, "process", photos, "--model", "nano_banana", "--economy"]
        started = time.time()

        # Killed while batches are out at Google, and again half-way.
        points = [("a batch out", "SELECT count(*) FROM batches WHERE state IN ('pending', 'running')", 1),
                  ("300 done", "SELECT count(*) FROM images WHERE status = 'COMPLETED'", 300)]
        killed = []
        for name, sql, at in points:
            p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 60
            while p.poll() is None and time.time() < deadline and query(dbpath, sql) < at:
                time.sleep(0.01)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed.append(name)
            p.wait()
        check(len(killed) == len(points), f"killed with SIGKILL with {', '.join(killed)}")

        final = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=240)
        check(final.returncode == 0, f"the run after the kills finishes with exit 0 (got {final.returncode}: "
                                     f"{final.stderr.strip().splitlines()[-1:] if final.stderr else ''})")
        elapsed = time.time() - started

        db = sqlite3.connect(dbpath)
        rows = db.execute("SELECT status, processed_key, sha256 FROM images").fetchall()
        check(len(rows) == N_PHOTOS, f"every photo staged once ({len(rows)})")
        check(all(r[0] == "COMPLETED" for r in rows), "every photo COMPLETED: " + str(sorted(set(r[0] for r in rows))))
        own = 0
        for status, key, sha in rows:
            if key and png_text(open(os.path.join(data, "blobs", key), "rb").read(), "lw-input-sha256") == sha:
                own += 1
        check(own == N_PHOTOS, f"each result is its own photo's ({own} of {N_PHOTOS})")
        s = stats(port)
        paid = [s["photos"].get(r[2], {}).get("delivered", 0) for r in rows]
        check(all(n == 1 for n in paid), f"each photo delivered (paid) once: {sorted(set(paid))}")
        check(s["requests"] == 0, f"nothing sent live ({s['requests']} generateContent requests)")
        check(s["batches"] > N_PHOTOS // 250, f"failed entries went into later batches ({s['batches']} batches)")
        states = [r[0] for r in db.execute("SELECT state FROM batches")]
        check(all(st in ("done", "abandoned") for st in states), f"every batch done: {sorted(set(states))}")

        status = subprocess.run([CLI, "status", "--json"], env=env, stdout=subprocess.PIPE, text=True, timeout=60)
        job = json.loads(status.stdout)["job"]
        check(job["mode"] == "economy", "status says economy")
        check(abs(job["price"] - PRICE_FAST / 2) < 1e-9, f"the price shown is half the live one ({job['price']})")
        check(abs(job["cost"] - N_PHOTOS * PRICE_FAST / 2) < 1e-6,
              f"the cost shown is {N_PHOTOS} photos at half price ({job['cost']:.4f})")
        text = subprocess.run([CLI, "status"], env=env, stdout=subprocess.PIPE, text=True, timeout=60).stdout
        check("economy mode" in text and "batches:" in text, "status shows the mode and the batches")
        print(f"# {N_PHOTOS} photos in economy mode, two kills: {elapsed:.1f} s, {s['batch_http']} Batch/Files "
              f"API requests ({s['batch_http'] / N_PHOTOS:.3f} a photo)")
    finally:
        server.kill()
        server.wait()


def cancel_reaches_server(tmp):
    photos = os.path.join(tmp, "few")
    data = os.path.join(tmp, "data2")
    make_photos(photos, 5)
    server, port = start_fake("--batch-polls=100000")
    try:
        env = run_env(data, port)
        dbpath = os.path.join(data, "lightwork.db")
        p = subprocess.Popen([CLI, "process", photos, "--model", "nano_banana", "--economy"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        while time.time() < deadline and query(dbpath, "SELECT count(*) FROM batches WHERE state = 'pending'") < 1:
            time.sleep(0.01)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=30)
        s = stats(port)
        check(s["batch_cancels"] == 1, f"an interrupted economy run cancels its batch at the server "
                                       f"({s['batch_cancels']} cancels)")
        state = query(dbpath, "SELECT state FROM batches")
        check(state == "cancelled", f"the batch is recorded cancelled ({state})")
    finally:
        server.kill()
        server.wait()


def main():
    tmp = tempfile.mkdtemp(prefix="lw-economy-")
    try:
        economy_job(tmp)
        cancel_reaches_server(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n_test}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
