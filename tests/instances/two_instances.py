"""Two letao-server instances on one database behave as one shop.

Checks, each against both instances: SMS limits and login throttling are
shared; an order placed on A and paid by a notification to B is paid on A;
expiry, automatic receipt and the daily reconciliation each run once; an
owner's catalogue change on A is served by B within the cache lifetime.

run.sh starts the simulator and the two servers (scripts/lib/services.sh)
and calls this script three times:

    two_instances.py create KIND ADMIN_URL         prints a fresh database's URL
    two_instances.py check KIND ADMIN_URL DB_URL   the checks
    two_instances.py drop KIND ADMIN_URL DB_URL

`check` reads the servers from the environment: INSTANCE_A, INSTANCE_B and
SIM_URL (base URLs), LETAO_BIN and the LETAO_* settings both servers run with
(LETAO__SMS__OUTBOX, LETAO__CATALOGUE__CACHE_TTL_MS); its work folder is the
current one.
"""

import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def log(msg):
    print(f"[instances] {msg}", file=sys.stderr, flush=True)


def call(base, method, path, body=None, token=None):
    """(status, headers by lower-case name, parsed JSON or text) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=15) as res:
            status, headers, raw = res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
    except (urllib.error.URLError, ConnectionError) as e:
        return 0, {}, str(e)  # not listening (yet): status 0
    try:
        return status, headers, json.loads(raw) if raw else None
    except ValueError:
        return status, headers, raw.decode(errors="replace")


def wait_until(what, check, secs=20.0):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out: {what}")


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


class Database:
    """A fresh database on the server the admin URL names, with SQL access."""

    def __init__(self, kind, admin_url, name):
        self.kind = kind
        self.admin = urllib.parse.urlparse(admin_url)
        self.name = name

    @classmethod
    def create(cls, kind, admin_url):
        db = cls(kind, admin_url, f"letao_two_{random.getrandbits(40):x}")
        db.sql(f"CREATE DATABASE {db.name}", admin=True)
        return db

    @classmethod
    def of(cls, kind, admin_url, db_url):
        return cls(kind, admin_url, urllib.parse.urlparse(db_url).path.lstrip("/"))

    def url(self):
        a = self.admin
        auth = f"{a.username}:{urllib.parse.quote(a.password or '', safe='')}@"
        return f"{a.scheme}://{auth}{a.hostname}:{a.port}/{self.name}"

    def sql(self, statement, admin=False):
        a = self.admin
        db = a.path.lstrip("/") if admin else self.name
        if self.kind == "mysql":
            cmd = ["mariadb", "--no-defaults", "-h", a.hostname, "-P", str(a.port), "-u", a.username,
                   f"-p{a.password}", "-N", "-B", db, "-e", statement]
            env = None
        else:
            cmd = ["psql", "-h", a.hostname, "-p", str(a.port), "-U", a.username, "-d", db,
                   "-At", "-v", "ON_ERROR_STOP=1", "-c", statement]
            env = dict(os.environ, PGPASSWORD=a.password or "")
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"sql failed: {statement}: {out.stderr.strip()}")
        return out.stdout.strip()

    def scalar(self, statement):
        return int(self.sql(statement).splitlines()[-1])

    def drop(self):
        try:
            force = "" if self.kind == "mysql" else " WITH (FORCE)"
            self.sql(f"DROP DATABASE IF EXISTS {self.name}{force}", admin=True)
        except RuntimeError as e:
            log(f"could not drop {self.name}: {e}")


def run(kind, db):
    a, b = os.environ["INSTANCE_A"], os.environ["INSTANCE_B"]
    sim_url = os.environ["SIM_URL"]
    server = os.environ["LETAO_BIN"]
    outbox = os.environ["LETAO__SMS__OUTBOX"]
    ttl_ms = int(os.environ["LETAO__CATALOGUE__CACHE_TTL_MS"])

    def last_code(mobile):
        with open(outbox) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        return [m for m in lines if m["to"] == mobile][-1]["params"][0]

    # SMS limits are shared: a code from A, a second at once from B is 429.
    mobile = "13900009901"
    expect(call(a, "POST", "/sms", {"mobile": mobile})[0] == 200, "code from A")
    status, headers, _ = call(b, "POST", "/sms", {"mobile": mobile})
    expect(status == 429 and "retry-after" in headers, f"B must refuse the second code, got {status}")
    code = last_code(mobile)
    status, _, body = call(b, "POST", "/register",
                           {"username": "two_shops", "password": "a-password", "mobile": mobile, "smscode": code})
    expect(status == 200, f"register on B with A's code: {status} {body}")
    log("SMS limits and codes shared")

    # Login failures are counted together: 5 on A, the 6th on B is 429.
    for _ in range(5):
        expect(call(a, "POST", "/login", {"username": "two_shops", "password": "wrong-pass"})[0] == 401, "401")
    status, _, _ = call(b, "POST", "/login", {"username": "two_shops", "password": "wrong-pass"})
    expect(status == 429, f"the sixth failure on B must be 429, got {status}")
    log("login throttling shared")

    # The owner and a buyer.
    for name, m in (("owner_two", "13900009902"), ("buyer_two", "13900009903")):
        expect(call(a, "POST", "/sms", {"mobile": m})[0] == 200, "code")
        expect(call(a, "POST", "/register", {"username": name, "password": "a-password", "mobile": m,
                                             "smscode": last_code(m)})[0] == 200, "register")
    grant = subprocess.run([server, "grant-admin", "owner_two"], capture_output=True, text=True, check=False)
    expect(grant.returncode == 0, f"grant-admin: {grant.stderr}")
    owner = call(a, "POST", "/login", {"username": "owner_two", "password": "a-password"})[2]["token"]
    buyer = call(b, "POST", "/login", {"username": "buyer_two", "password": "a-password"})[2]["token"]

    # An order placed on A, paid by the notification B receives, is paid on A.
    status, _, placed = call(a, "POST", "/order", {"items": [{"productId": 5, "size": "40", "quantity": 1}]}, buyer)
    expect(status == 200, f"order on A: {placed}")
    no = placed["data"]["out_trade_no"]
    expect(call(sim_url, "POST", "/sim/pay", {"out_trade_no": no})[0] == 200, "pay at the simulator")
    wait_until("the notification to B recorded",
               lambda: db.scalar(f"SELECT COUNT(*) FROM order_event WHERE kind = 'paid' AND detail LIKE 'notify %' "
                                 f"AND order_id = (SELECT id FROM payorder WHERE out_trade_no = '{no}')") == 1)
    status, _, queried = call(a, "POST", "/queryOrder", {"out_trade_no": no}, buyer)
    expect(queried["data"]["trade_state"] == "SUCCESS", f"A sees it paid: {queried}")
    log("ordered on A, notified to B, paid on A")

    # Expiry runs once: orders left unpaid are closed by one instance each.
    stock_before = db.scalar("SELECT stock FROM sku WHERE product_id = 6 AND size = '40'")
    expired = []
    for target in (a, b, a, b):
        status, _, o = call(target, "POST", "/order", {"items": [{"productId": 6, "size": "40", "quantity": 1}]}, buyer)
        expect(status == 200, f"order: {o}")
        expired.append(o["data"]["out_trade_no"])
    nos = ",".join(f"'{n}'" for n in expired)
    wait_until("every unpaid order closed",
               lambda: db.scalar(f"SELECT COUNT(*) FROM payorder WHERE out_trade_no IN ({nos}) "
                                 f"AND trade_state = 'CLOSED'") == len(expired), 30)
    closes = db.scalar(f"SELECT COUNT(*) FROM order_event WHERE kind = 'closed' AND order_id IN "
                       f"(SELECT id FROM payorder WHERE out_trade_no IN ({nos}))")
    expect(closes == len(expired), f"each closed once, got {closes} close events for {len(expired)} orders")
    expect(db.scalar("SELECT stock FROM sku WHERE product_id = 6 AND size = '40'") == stock_before, "stock released exactly once")
    log("expiry ran once per order")

    # Automatic receipt runs once: a shipment dated eleven days back.
    address = call(b, "POST", "/addresses", {"name": "张三", "mobile": "13800138000", "province": "浙江省",
                                            "city": "杭州市", "district": "西湖区", "detail": "文三路 1 号"}, buyer)
    expect(address[0] == 200, f"address: {address}")
    aid = address[2]["address"]["id"]
    expect(call(a, "PUT", f"/orders/{no}/address", {"addressId": aid}, buyer)[0] == 200, "address on the order")
    shipped = call(b, "POST", f"/admin/orders/{no}/ship", {"carrier": "顺丰", "trackingNo": "SF1234"}, owner)
    expect(shipped[0] == 200, f"ship on B: {shipped}")
    old = "DATE_SUB(NOW(6), INTERVAL 11 DAY)" if kind == "mysql" else "(now() AT TIME ZONE 'UTC') - INTERVAL '11 days'"
    db.sql(f"UPDATE order_delivery SET shipped_at = {old} WHERE order_id = "
           f"(SELECT id FROM payorder WHERE out_trade_no = '{no}')")
    wait_until("received automatically",
               lambda: db.scalar(f"SELECT COUNT(*) FROM payorder WHERE out_trade_no = '{no}' "
                                 f"AND fulfilment = 'RECEIVED'") == 1, 30)
    time.sleep(2.5)  # both instances have had rounds since: still one receipt
    receipts = db.scalar(f"SELECT COUNT(*) FROM order_event WHERE kind = 'received' AND order_id = "
                         f"(SELECT id FROM payorder WHERE out_trade_no = '{no}')")
    expect(receipts == 1, f"one automatic receipt, got {receipts}")
    log("automatic receipt ran once")

    # The daily reconciliation of yesterday was claimed by one instance.
    wait_until("yesterday's reconciliation tried",
               lambda: db.scalar("SELECT COUNT(*) FROM reconciliation") == 1, 90)
    attempts = db.scalar("SELECT attempts FROM reconciliation")
    expect(attempts == 1, f"one instance ran it once, got {attempts} attempts")
    log("the daily reconciliation ran once")

    # An owner's catalogue change through A is served by B within the TTL,
    # B having cached the list before the change.
    expect(call(b, "GET", "/oneCategory")[0] == 200, "B caches the categories")
    status, _, made = call(a, "POST", "/admin/categories", {"categoryName": "双店馆"}, owner)
    expect(status == 200, f"category on A: {made}")
    changed_at = time.monotonic()
    wait_until("B serves the new category",
               lambda: any(c["categoryName"] == "双店馆" for c in call(b, "GET", "/oneCategory")[2]["oneCategoryList"]),
               5)
    seen_after = time.monotonic() - changed_at
    expect(seen_after < ttl_ms / 1000 + 1.0, f"B saw it after {seen_after:.2f} s (TTL {ttl_ms} ms)")
    # Stock sold through A shows on B within the TTL too.
    before = call(b, "GET", "/products/7")[2]["product"]["stock"]
    expect(call(a, "POST", "/order", {"items": [{"productId": 7, "size": "40", "quantity": 2}]}, buyer)[0] == 200, "order")
    wait_until("B shows the new stock",
               lambda: call(b, "GET", "/products/7")[2]["product"]["stock"] == before - 2, 5)
    log(f"catalogue change on A served by B after {seen_after:.2f} s")


def main(argv):
    usage = "usage: two_instances.py create KIND ADMIN_URL | check|drop KIND ADMIN_URL DB_URL"
    if len(argv) < 3 or argv[1] not in ("mysql", "postgres"):
        sys.exit(usage)
    command, kind, admin_url = argv[0], argv[1], argv[2]
    if command == "create" and len(argv) == 3:
        print(Database.create(kind, admin_url).url())
    elif command == "check" and len(argv) == 4:
        run(kind, Database.of(kind, admin_url, argv[3]))
    elif command == "drop" and len(argv) == 4:
        Database.of(kind, admin_url, argv[3]).drop()
    else:
        sys.exit(usage)


if __name__ == "__main__":
    main(sys.argv[1:])
