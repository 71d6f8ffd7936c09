#!/usr/bin/env python3
"""The smaller data-safety rules of issue 18, as lightwork-cli shows them:
a garbled database is an error, not an empty or partial listing; --out is
checked before any photo is processed; names with escape codes or newlines
reach the terminal escaped; status lists every skipped link, FIFO and
folder loop. Real processes, the local engine. TAP output."""
import base64
import importlib.util
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("lw_test_cli", os.path.join(HERE, "test-cli.py"))
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)
check, run, copy_photos = cli.check, cli.run, cli.copy_photos


def env_for(data):
    return dict(os.environ, LIGHTWORK_DATA_DIR=data, SECRET_BACKEND="file", GEMINI_API_KEY="")


def garbled_database(tmp):
    data = os.path.join(tmp, "garbled")
    env = env_for(data)
    photos = os.path.join(tmp, "photos-garbled")
    copy_photos(photos, 3)
    r = run(env, "process", photos, "--model", "local")
    check(r.returncode == 0, f"a job to garble ({r.returncode})")
    db = os.path.join(data, "lightwork.db")
    size = os.path.getsize(db)
    with open(db, "r+b") as f:
        f.seek(size // 2)
        f.write(bytes(range(256)) * 32)
    for cmd in ("jobs", "status"):
        r = run(env, cmd)
        check(r.returncode == 1 and "damaged" in r.stderr,
              f"{cmd} on a database garbled mid-file exits 1 and says it is damaged "
              f"(exit {r.returncode}: {r.stderr.strip()[-160:]!r})")


def out_checked_first(tmp):
    data = os.path.join(tmp, "out")
    env = env_for(data)
    photos = os.path.join(tmp, "photos-out")
    copy_photos(photos, 2)
    not_a_folder = os.path.join(tmp, "a-file")
    open(not_a_folder, "w").write("x")
    r = run(env, "process", photos, "--model", "local", "--out", os.path.join(not_a_folder, "results"))
    jobs = run(env, "jobs").stdout
    check(r.returncode == 1 and "cannot save into" in r.stderr,
          f"--out that cannot be made is refused (exit {r.returncode}: {r.stderr.strip()[-160:]!r})")
    check("done" not in r.stdout + r.stderr and "COMPLETED" not in jobs,
          f"before any photo is processed ({jobs.strip()!r})")
    out = os.path.join(tmp, "results-new")
    r = run(env, "process", photos, "--model", "local", "--out", out)
    check(r.returncode == 0 and len(os.listdir(out)) == 2, f"a folder that can be made is fine ({r.returncode})")


def escaped_names(tmp):
    data = os.path.join(tmp, "names")
    env = env_for(data)
    photos = os.path.join(tmp, "photos-names")
    copy_photos(photos, 1)
    first = os.path.join(photos, os.listdir(photos)[0])
    evil = os.path.join(photos, "evil\x1b[31mred\nline.jpg")
    shutil.copy(first, evil)
    os.symlink("/nonexistent", os.path.join(photos, "gone\x1b]0;title\x07.jpg"))
    os.mkfifo(os.path.join(photos, "pipe.jpg"))
    os.makedirs(os.path.join(photos, "sub"))
    os.symlink(photos, os.path.join(photos, "sub", "loop"))
    r = run(env, "process", photos, "--model", "local")
    s = run(env, "status")
    shown = r.stdout + r.stderr + s.stdout + s.stderr
    check(r.returncode == 0 and s.returncode == 0, f"a folder with odd names is processed ({r.returncode}, {s.returncode})")
    check("\x1b" not in shown and "\x07" not in shown, "no escape code reaches the terminal")
    check("evil\\x1b[31mred\\nline.jpg" in shown, "the name is shown escaped, on one line")
    check(not any(line.startswith("line.jpg") for line in shown.splitlines()), "a newline in a name starts no line")
    for what in ("gone\\x1b]0;title\\x07.jpg", "pipe.jpg", "loop"):
        check(any(what in line and "skipped" in line for line in s.stdout.splitlines()),
              f"status lists the skipped {what!r}")


# A 48 × 32 CMYK JPEG (Adobe, inverted; libjpeg JCS_YCCK): a gradient.
CMYK_JPEG = base64.b64decode(
    "/9j/7gAOQWRvYmUAZAAAAAAC/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4LCxAWEBET"
    "FBUVFQwPFxgWFBgSFBUU/9sAQwEDBAQFBAUJBQUJFA0LDRQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU"
    "FBQUFBQUFBQUFBQU/8AAFAgAIAAwBAEiAAIRAQMRAQQiAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQ"
    "AAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5"
    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TF"
    "xsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALUR"
    "AAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4"
    "OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLD"
    "xMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAA4EAQACEQMRBAAAPwD887Hwr0+SuisfCvT5K9CsfCnT5P0r"
    "orDwp0+T9KvEZx5njZPn22p+qdFFFee2HhXp8ldFY+FenyV6FY+FOnyfpXRWPhTp8n6V8ziM48z9xyfP9tQooorz2x8K9Pkr"
    "orDwr0+SvQrHwp0+T9K6Kx8KdPk/SvmcRnHmfuOT59tqFFFFec2PhTp8n6V0Vj4U6fJXodj4U6fJ+ldFY+FOnyfpXzWIzjzP"
    "8jsnz/bUKKKK88sfCnT5P0rorDwp0+T9K9CsPCnT5P0rorHwp0+SvmcRnHmfuOT5/tqFFFFee2PhTp8n6V0Vj4U6fJ+lehWP"
    "hTp8n6V0Vh4U6fJ+lfM4jOPM/csnz/bUKKKK/9k="
)


def jpeg_components(path):
    """The number of colour components in a JPEG's frame header."""
    data = open(path, "rb").read()
    i = 2
    while i + 9 < len(data):
        marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return data[i + 9]
        i += 2 + length
    return None


def cmyk_keeps_format(tmp):
    """A CMYK JPEG comes out as a JPEG in RGB: not a PNG, no alpha."""
    env = env_for(os.path.join(tmp, "cmyk"))
    photos = os.path.join(tmp, "photos-cmyk")
    os.makedirs(photos)
    with open(os.path.join(photos, "press.jpg"), "wb") as f:
        f.write(CMYK_JPEG)
    check(jpeg_components(os.path.join(photos, "press.jpg")) == 4, "the original is CMYK")
    out = os.path.join(tmp, "results-cmyk")
    r = run(env, "process", photos, "--model", "local", "--out", out)
    files = os.listdir(out) if os.path.isdir(out) else []
    check(r.returncode == 0 and files == ["press-food.jpg"], f"saved as a JPEG ({r.returncode}: {files})")
    if files:
        check(jpeg_components(os.path.join(out, files[0])) == 3, "in RGB, three components")


def main():
    tmp = tempfile.mkdtemp(prefix="lw-cli-safety-")
    try:
        garbled_database(tmp)
        out_checked_first(tmp)
        escaped_names(tmp)
        cmyk_keeps_format(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{cli.n_test}")
    return 1 if cli.failures else 0


if __name__ == "__main__":
    sys.exit(main())
