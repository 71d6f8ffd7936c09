#!/usr/bin/env python3
"""lightwork-cli never throws away an answer it paid for, says why a job is
paused, remembers where its results go and reads right (issue 17). Real
processes against the fake Gemini server on 127.0.0.1, whose /_fake/stats
counts the requests each photo took. TAP output."""
import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

# The helpers of test-cli.py (check, start_server, copy_photos, run).
_spec = importlib.util.spec_from_file_location("test_cli", os.path.join(os.path.dirname(__file__), "test-cli.py"))
T = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(T)
check, run, copy_photos, start_server, KEY, CLI = T.check, T.run, T.copy_photos, T.start_server, T.KEY, T.CLI


def stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/stats", timeout=10) as r:
        return json.loads(r.read())


def wait_for(cond, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


def image_counts(data_dir):
    c = sqlite3.connect(os.path.join(data_dir, "lightwork.db"), timeout=10)
    counts = dict(c.execute("SELECT status, count(*) FROM images GROUP BY status").fetchall())
    job = c.execute("SELECT status FROM jobs ORDER BY id DESC").fetchone()[0]
    c.close()
    return counts, job


def env_for(tmp, name, port):
    return dict(os.environ, LIGHTWORK_DATA_DIR=os.path.join(tmp, name), GEMINI_API_KEY=KEY,
                LIGHTWORK_GEMINI_BASE_URL=f"http://127.0.0.1:{port}", SECRET_BACKEND="file")


def cancel_keeps_paid_work(tmp, port):
    """Ctrl+C with 2 requests in flight: both land and are kept, and the
    next run does not send them again."""
    env = env_for(tmp, "c1", port)
    photos = os.path.join(tmp, "cancel")
    copy_photos(photos, 4)
    cmd = [CLI, "process", photos, "--model", "nano_banana", "--concurrency", "2"]
    before = stats(port)["requests"]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(wait_for(lambda: stats(port)["in_flight"] == 2), "two requests in flight at the server")
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    counts, job = image_counts(env["LIGHTWORK_DATA_DIR"])
    check(p.returncode == 130, f"Ctrl+C exits 130 (got {p.returncode})")
    check("finishing 2 in flight" in err, f"it says it finishes the 2 in flight ({err.strip()!r})")
    check(counts.get("COMPLETED") == 2 and counts.get("PENDING") == 2 and "PROCESSING" not in counts,
          f"both results kept, the rest waits ({counts})")
    check(job == "CANCELLED", f"the job is CANCELLED ({job})")
    check(stats(port)["requests"] - before == 2, "no request started after Ctrl+C")
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    st = stats(port)
    check(r.returncode == 0 and st["requests"] - before == 4, f"the next run sends only the other 2 (exit {r.returncode}, "
          f"{st['requests'] - before} requests for 4 photos)")
    check(all(v["requests"] == 1 for v in st["photos"].values()), "no photo was sent twice")


def second_ctrl_c_abandons(tmp, port):
    env = env_for(tmp, "c2", port)
    photos = os.path.join(tmp, "abandon")
    copy_photos(photos, 2)
    before = stats(port)["requests"]
    p = subprocess.Popen([CLI, "process", photos, "--model", "nano_banana", "--concurrency", "2"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(wait_for(lambda: stats(port)["requests"] - before == 2), "two requests sent")
    p.send_signal(signal.SIGINT)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    counts, job = image_counts(env["LIGHTWORK_DATA_DIR"])
    check(p.returncode == 130, f"a second Ctrl+C exits 130 (got {p.returncode})")
    check("Abandoned 2 requests" in err and "charged again" in err, f"it says what abandoning costs ({err.strip()!r})")
    check(counts == {"PENDING": 2}, f"the abandoned photos are back in the queue ({counts})")


def job_json(env, job_id=None):
    jobs = json.loads(run(env, "jobs", "--json").stdout)
    return jobs[0] if job_id is None else [j for j in jobs if j["id"] == job_id][0]


def pauses_say_so(tmp, port, quota_port):
    """A bad key, an unknown model and a daily quota: PAUSED with the reason
    and what to do, in `jobs`, `jobs --json` and `status`; no log line
    beside the CLI's own."""
    env = dict(env_for(tmp, "p1", port), GEMINI_API_KEY="wrong-key")
    photos = os.path.join(tmp, "paused")
    copy_photos(photos, 2)
    saved = os.path.join(tmp, "paused-out")
    r = run(env, "process", photos, "--model", "nano_banana", "--out", saved, "--template", "kept-{name}.{ext}")
    job = job_json(env)
    check(r.returncode == 1 and "paused:" in r.stderr and f"resume {job['id']}" in r.stderr,
          f"a bad key pauses and says how to go on (exit {r.returncode})")
    check("LightWork-" not in r.stderr, f"no log line beside the CLI's ({r.stderr.strip()!r})")
    check("GEMINI_API_KEY is the key in use" in r.stderr and "key set" not in r.stderr,
          "the bad-key advice names GEMINI_API_KEY, the key in use")
    check(job["status"] == "PAUSED" and job["pause"]["code"] == "auth" and "refused" in job["pause"]["reason"]
          and "GEMINI_API_KEY" in job["pause"]["advice"], f"jobs --json: PAUSED with reason and advice ({job})")
    out = run(env, "jobs").stdout
    check("PAUSED" in out and "refused" in out and "PROCESSING" not in out, f"jobs: PAUSED and why ({out!r})")
    out = run(env, "status").stdout
    check("PAUSED" in out and "GEMINI_API_KEY" in out and f"resume {job['id']}" in out, f"status too ({out!r})")
    r = run(dict(env, GEMINI_API_KEY=KEY), "resume")
    job = job_json(env)
    check(r.returncode == 0 and job["status"] == "COMPLETED" and "pause" not in job,
          f"resume with a working key finishes it ({r.returncode}, {job['status']})")
    # The job remembered --out and --template: resume saved there without them.
    files = sorted(os.listdir(saved)) if os.path.isdir(saved) else []
    check(len(files) == 2 and all(f.startswith("kept-") for f in files) and f"to {saved}" in r.stderr,
          f"resume saves into the remembered folder with the remembered names ({files}: {r.stderr.strip()!r})")

    # An unknown model: the advice is a whole sentence.
    env2 = dict(env_for(tmp, "p2", port))
    run(env2, "jobs")
    T.set_setting(env2["LIGHTWORK_DATA_DIR"], "model.nano_banana.id", "gemini-shut-down")
    r = run(env2, "process", photos, "--model", "nano_banana")
    job = job_json(env2)
    check(job["status"] == "PAUSED" and job["pause"]["code"] == "model_not_found"
          and job["pause"]["advice"].endswith("switches to one of them."),
          f"an unknown model: PAUSED, advice whole ({job.get('pause')})")
    check("models use" in r.stderr and "switches”" not in r.stderr, "the CLI says the whole advice")

    # A daily quota.
    env3 = env_for(tmp, "p3", quota_port)
    r = run(env3, "process", photos, "--model", "nano_banana")
    job = job_json(env3)
    check(r.returncode == 1 and job["status"] == "PAUSED" and job["pause"]["code"] == "quota_exhausted"
          and "quota" in job["pause"]["advice"], f"a daily quota: PAUSED ({job.get('pause')})")


def saved_once(tmp, port):
    """process --out DIR again (and export, as the window's Save All) skips
    the results DIR holds byte for byte and says how many; a file changed
    there is not one of them, and is never overwritten."""
    env = env_for(tmp, "s1", port)
    photos = os.path.join(tmp, "saved")
    out = os.path.join(tmp, "saved-out")
    copy_photos(photos, 3)
    cmd = ["process", photos, "--model", "nano_banana", "--out", out]
    r1 = run(env, *cmd)
    r2 = run(env, *cmd)
    files = sorted(os.listdir(out))
    check(r1.returncode == 0 and r2.returncode == 0 and len(files) == 3,
          f"process --out twice: still 3 files, no -2 copies ({files})")
    check("Saved 0 results" in r2.stderr and "3 already saved there, skipped" in r2.stderr,
          f"it says how many were there already ({r2.stderr.strip()!r})")
    with open(os.path.join(out, files[0]), "ab") as f:
        f.write(b"edited")
    r = run(env, "export", "--out", out)
    after = sorted(os.listdir(out))
    check(len(after) == 4 and "Saved 1 result to" in r.stdout and "2 already saved there, skipped" in r.stdout,
          f"export: the changed one is saved beside it, the 2 others skipped ({after}, {r.stdout.strip()!r})")


def options_do_what_they_say(tmp, port):
    """--force on a finished job refuses and sends nothing; -n NAME names a
    job found again by its paths; a photo given twice is counted as
    skipped; one photo is "1 photo"."""
    env = env_for(tmp, "o1", port)
    photos = os.path.join(tmp, "options")
    copy_photos(photos, 1)
    one = os.path.join(photos, os.listdir(photos)[0])
    r = run(env, "process", one, one, "--model", "nano_banana")
    check(r.returncode == 0 and "1 photo (1 new, 1 skipped)" in r.stderr,
          f"a photo given twice is counted as skipped, in the singular ({r.stderr.strip()!r})")
    check("done " + os.path.basename(one) + " (reused" not in r.stdout, "a first result is not said to be reused")
    before = stats(port)["requests"]
    r = run(env, "process", one, one, "--model", "nano_banana", "--force")
    check(r.returncode == 1 and "--force has nothing to send again" in r.stderr and stats(port)["requests"] == before,
          f"--force on a finished job refuses, nothing sent ({r.returncode}: {r.stderr.strip()[-160:]!r})")
    r = run(env, "process", one, one, "--model", "nano_banana", "-n", "Menu")
    jobs = json.loads(run(env, "jobs", "--json").stdout)
    check(len(jobs) == 1 and jobs[0]["name"] == "Menu" and "(Menu)" in r.stderr,
          f"-n NAME names the job found again by its paths ({[j['name'] for j in jobs]})")
    r = run(env, "process", "--help")
    usage = r.stdout.split("\n\n")[0]
    check("lightwork-cli process [OPTION…]" in usage and usage.count("PHOTOS-OR-FOLDERS…") == 1,
          f"process --help names the command and PHOTOS-OR-FOLDERS… once ({usage!r})")
    # The same photo in another job: its result is reused, and said so.
    r = run(env, "process", photos, "--model", "nano_banana")
    check(r.returncode == 0 and "reused, no charge" in r.stdout and stats(port)["requests"] == before,
          f"a reused result says \"reused, no charge\" ({r.stdout.strip()!r})")


def main():
    tmp = tempfile.mkdtemp(prefix="lw-cli-paid-")
    servers = []
    try:
        slow, slow_port = start_server("--latency-mean-ms=1500", "--latency-sigma=0")
        servers.append(slow)
        cancel_keeps_paid_work(tmp, slow_port)
        second_ctrl_c_abandons(tmp, slow_port)
        fast, fast_port = start_server("--latency-mean-ms=20")
        servers.append(fast)
        quota, quota_port = start_server("--latency-mean-ms=20", "--rate=quota-day=1")
        servers.append(quota)
        pauses_say_so(tmp, fast_port, quota_port)
        saved_once(tmp, fast_port)
        options_do_what_they_say(tmp, fast_port)
    finally:
        for s in servers:
            s.kill()
            s.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{T.n_test}")
    return 1 if T.failures else 0


if __name__ == "__main__":
    sys.exit(main())
