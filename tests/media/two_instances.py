"""Two letao-server instances sharing uploaded images through one S3 bucket.

Both run `media.backend = "s3"` on the bucket the TEST_S3_* variables name,
over one SQLite database, each with a media folder of its own (as on two
machines). The owner uploads an image to A; B serves it under the same
name with the same bytes, type and cache headers, answers HEAD and a
conditional GET, and 404s a name never uploaded. Then the other way round.
Neither folder is written. Everything started is stopped by PID.
"""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "target/release/letao-server")
BOUNDARY = "letao-media-two-instances"


def log(msg):
    print(f"[media] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def call(base, method, path, body=None, token=None, headers=None, raw=None):
    """(status, headers by lower-case name, body bytes) of one request."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=15) as res:
            return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
    except (urllib.error.URLError, ConnectionError) as e:
        return 0, {}, str(e).encode()


def json_of(reply):
    return json.loads(reply[2])


def wait_until(what, check, secs=60.0):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out: {what}")


def upload(base, token, path):
    with open(path, "rb") as f:
        image = f.read()
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{os.path.basename(path)}\"\r\nContent-Type: image/png\r\n\r\n").encode()
    body += image + f"\r\n--{BOUNDARY}--\r\n".encode()
    status, _, reply = call(base, "POST", "/admin/images", token=token, raw=body,
                            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    expect(status == 200, f"upload to {base}: {status} {reply[:300]!r}")
    return json.loads(reply)["url"]


def check_served(base, url, expected=None):
    """The image at url as base serves it, checked against its name."""
    status, headers, body = call(base, "GET", url)
    expect(status == 200, f"GET {url} from {base}: {status} {body[:300]!r}")
    name = url.removeprefix("/media/")
    expect(hashlib.sha256(body).hexdigest() == name.split(".")[0], "the bytes are those the name hashes")
    if expected is not None:
        expect(body == expected, "the same bytes on both instances")
    expect(headers.get("content-type") == "image/png", f"content-type {headers.get('content-type')}")
    expect(headers.get("cache-control") == "public, max-age=31536000, immutable",
           f"cache-control {headers.get('cache-control')}")
    expect(headers.get("etag") == f'"{name}"', f"etag {headers.get('etag')}")
    status, headers, head_body = call(base, "HEAD", url)
    expect(status == 200 and head_body == b"", f"HEAD {url}: {status}, {len(head_body)} bytes")
    expect(headers.get("content-length") == str(len(body)), f"HEAD content-length {headers.get('content-length')}")
    status, _, again = call(base, "GET", url, headers={"If-None-Match": f'"{name}"'})
    expect(status == 304 and again == b"", f"conditional GET: {status}")
    return body


def main():
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="letao-media-two-")
    children = []
    try:
        run(work, children)
    except Exception:
        for name in ("a", "b"):
            path = os.path.join(work, f"{name}.log")
            if os.path.exists(path):
                with open(path) as f:
                    log(f"--- {name}.log (end) ---\n{f.read()[-3000:]}")
        raise
    finally:
        for _, p in children:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in children:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                log(f"{name} killed")
        if os.environ.get("KEEP_TMP") == "1":
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    log(f"an image uploaded to either instance is served by the other ({time.monotonic() - started:.0f} s)")


def run(work, children):
    port_a, port_b = free_port(), free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    outbox = os.path.join(work, "outbox.jsonl")
    base_env = dict(
        os.environ,
        LETAO_ENV="test",
        LETAO_CONFIG_DIR=os.path.join(ROOT, "config"),
        LETAO__SERVER__STATIC_DIR=os.path.join(ROOT, "static"),
        LETAO__DATABASE__URL=f"sqlite://{work}/letao.db",
        LETAO__SMS__BACKEND="outbox",
        LETAO__SMS__OUTBOX=outbox,
        LETAO__AUTH__JWT_SECRET="two-instances-share-this-secret-0123456789",
        LETAO__MEDIA__BACKEND="s3",
        LETAO__MEDIA__S3__ENDPOINT=os.environ["TEST_S3_ENDPOINT"],
        LETAO__MEDIA__S3__BUCKET=os.environ["TEST_S3_BUCKET"],
        LETAO__MEDIA__S3__REGION=os.environ["TEST_S3_REGION"],
        LETAO__MEDIA__S3__ACCESS_KEY_ID=os.environ["TEST_S3_ACCESS_KEY_ID"],
        LETAO__MEDIA__S3__SECRET_ACCESS_KEY=os.environ["TEST_S3_SECRET_ACCESS_KEY"],
        LETAO__LOG__LEVEL="info",
    )
    env = {}
    for name, port in (("a", port_a), ("b", port_b)):
        # A folder each, as on two machines: the upload must not land there.
        env[name] = dict(base_env, LETAO__SERVER__ADDR=f"127.0.0.1:{port}",
                         LETAO__SERVER__MEDIA_DIR=os.path.join(work, f"media-{name}"))
    # A migrates and seeds first; B finds the database ready.
    for name, base in (("a", a), ("b", b)):
        out = open(os.path.join(work, f"{name}.log"), "w")
        children.append((name, subprocess.Popen([SERVER], cwd=work, env=env[name], stdout=out,
                                                stderr=subprocess.STDOUT)))
        wait_until(name.upper(), lambda: call(base, "GET", "/ready")[0] == 200)
    with open(os.path.join(work, "a.log")) as f:
        text = f.read()
    expect(os.environ["TEST_S3_SECRET_ACCESS_KEY"] not in text, "the secret is not logged")
    log("A and B up on one database and one bucket")

    # The owner, registered on A with the code from the outbox.
    mobile = "13900007701"
    expect(call(a, "POST", "/sms", {"mobile": mobile})[0] == 200, "SMS code")
    with open(outbox) as f:
        code = [json.loads(line) for line in f if line.strip()][-1]["params"][0]
    status = call(a, "POST", "/register", {"username": "media_owner", "password": "a-password",
                                           "mobile": mobile, "smscode": code})[0]
    expect(status == 200, f"register: {status}")
    grant = subprocess.run([SERVER, "grant-admin", "media_owner"], cwd=work, env=env["a"],
                           capture_output=True, text=True, check=False)
    expect(grant.returncode == 0, f"grant-admin: {grant.stderr}")
    token = json_of(call(a, "POST", "/login", {"username": "media_owner", "password": "a-password"}))["token"]

    url = upload(a, token, os.path.join(ROOT, "static/images/nav1.png"))
    from_a = check_served(a, url)
    check_served(b, url, from_a)
    log(f"uploaded to A, served by B: {url} ({len(from_a)} bytes)")
    url = upload(b, token, os.path.join(ROOT, "static/images/banner1.png"))
    check_served(a, url, check_served(b, url))
    log(f"uploaded to B, served by A: {url}")

    missing = "/media/" + "0" * 64 + ".png"
    for base in (a, b):
        status, _, body = call(base, "GET", missing)
        expect(status == 404 and json.loads(body) == {"status": 404, "msg": "no such route"},
               f"a name never uploaded: {status} {body[:200]!r}")
    for name in ("a", "b"):
        expect(not os.path.exists(os.path.join(work, f"media-{name}")), f"{name.upper()} wrote its folder")


if __name__ == "__main__":
    if not os.access(SERVER, os.X_OK):
        sys.exit(f"{SERVER} is missing: cargo build --release -p letao-server")
    main()
