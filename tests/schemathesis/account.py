"""Registers a user (SMS code read from the outbox) or logs one in.

    python3 account.py BASE_URL OUTBOX USERNAME MOBILE register|login

`login` prints the token. The password is fixed: these are throwaway
accounts of a fuzzing run's own database.
"""

import json
import sys
import time
import urllib.error
import urllib.request

PASSWORD = "fuzz-pass-123"


def post(base, path, body):
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=15) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def code_for(outbox, mobile, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with open(outbox, encoding="utf-8") as f:
                lines = [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            lines = []
        for msg in reversed(lines):
            if str(msg["to"]).endswith(mobile):
                return str(msg["params"][0])
        time.sleep(0.1)
    sys.exit(f"no SMS to {mobile} in {outbox}")


def main():
    base, outbox, username, mobile, mode = sys.argv[1:6]
    if mode == "register":
        status, body = post(base, "/sms", {"mobile": mobile, "purpose": "register"})
        if status != 200:
            sys.exit(f"POST /sms: {status} {body}")
        code = code_for(outbox, mobile)
        status, body = post(base, "/register", {
            "username": username, "password": PASSWORD, "repeat_password": PASSWORD,
            "mobile": mobile, "smscode": code})
        if status != 200:
            sys.exit(f"POST /register: {status} {body}")
    else:
        status, body = post(base, "/login", {"username": username, "password": PASSWORD})
        if status != 200:
            sys.exit(f"POST /login: {status} {body}")
        print(body["token"])


main()
