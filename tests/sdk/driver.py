"""Drives wechat-pay-sim with the wechatpayv3 SDK, as a merchant uses it.

    python driver.py --sim-url http://127.0.0.1:PORT --mode public-key|certificate \
        --merchant-key KEY.pem --merchant-serial SERIAL --apiv3-key KEY \
        [--public-key PUB.pem --public-key-id ID]

One Native order paid, queried, its payment notification taken through the
SDK's callback() (after a WECHATPAY/SIGNTEST/ probe it must refuse),
refunded (refund notification likewise) and its refund queried; a second
order closed; an unknown one queried; the day's trade bill downloaded and
its SHA1 checked against the one announced (and a corrupted one caught). Every reply the SDK verifies must
verify. Prints one line per check; exits non-zero at the first failure.

The SDK's gateway is fixed (Core._gate_way): it is pointed at the simulator,
and every request the SDK makes must go to the simulator (nothing else is
reached). Notifications go to a small HTTP receiver on 127.0.0.1.
"""

import argparse
import gzip
import hashlib
import http.server
import json
import queue
import sys
import threading
import time
import urllib.request

import requests
import wechatpayv3
import wechatpayv3.core
from wechatpayv3 import WeChatPay, WeChatPayType

APPID = "wx0000000000000000"
MCHID = "1900000000"
# The simulator's clock for payment and refund times, so the bill's day is known.
SIM_NOW = "2026-01-01T10:00:00+08:00"
BILL_DATE = "2026-01-01"


class Failed(Exception):
    pass


def check(what, condition, detail=""):
    if not condition:
        raise Failed(f"{what}: {detail}")
    print(f"  ok: {what}", flush=True)


def point_sdk_at(sim_url):
    """Makes the SDK's fixed gateway the simulator, before the client's
    constructor downloads certificates through it, and refuses any request
    to another address."""
    wechatpayv3.core.Core._gate_way = property(lambda self: sim_url, lambda self, value: None)
    real_request = requests.sessions.Session.request

    def loopback_only(self, method, url, *args, **kwargs):
        if not url.startswith(sim_url + "/"):
            raise Failed(f"the SDK asked for {url}, not the simulator")
        return real_request(self, method, url, *args, **kwargs)

    requests.sessions.Session.request = loopback_only


def control(sim_url, path, body=None):
    """The simulator's control API (not the SDK: the payer's side)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(sim_url + path, data=data, method="GET" if body is None else "POST")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read() or b"null")


class Receiver:
    """The merchant's notify_url: every POST goes through the SDK's
    callback(); verified ones are queued and acknowledged, others refused
    (the simulator then retries)."""

    def __init__(self, wxpay):
        self.notifications = queue.Queue()
        self.refused = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    result = wxpay.callback(self.headers, body)
                    refused = None if result and result.get("resource") else "callback() returned nothing"
                except Exception as e:  # the SDK raises on headers it does not accept
                    result, refused = None, repr(e)
                if refused is None:
                    receiver.notifications.put(result)
                    self.send_response(204)
                    self.end_headers()
                else:
                    receiver.refused.append(refused)
                    reply = json.dumps({"code": "FAIL", "message": "unverified"}).encode()
                    self.send_response(500)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, event_type, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                n = self.notifications.get(timeout=0.2)
            except queue.Empty:
                continue
            if n.get("event_type") == event_type:
                return n
        raise Failed(f"no verified {event_type} notification within {timeout}s; refused: {self.refused}")

    def close(self):
        self.server.shutdown()


def ok_json(what, reply, status=200):
    code, body = reply
    check(f"{what} answers {status}", code == status, f"{code} {body!r}")
    return json.loads(body) if body else None


def eventually(what, probe, timeout=20):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            check(what, True)
            return last
        time.sleep(0.1)
    raise Failed(f"{what}: not within {timeout}s ({last!r})")


def run(args):
    point_sdk_at(args.sim_url)
    with open(args.merchant_key) as f:
        merchant_key = f.read()
    keys = {}
    if args.mode == "public-key":
        with open(args.public_key) as f:
            keys = {"public_key": f.read(), "public_key_id": args.public_key_id}
    # Late binding: the receiver needs the client and the client the
    # receiver's URL, so the client is made with a placeholder first.
    wxpay = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=MCHID,
        private_key=merchant_key,
        cert_serial_no=args.merchant_serial,
        appid=APPID,
        apiv3_key=args.apiv3_key,
        notify_url="http://127.0.0.1:9/notify",
        **keys,
    )
    receiver = Receiver(wxpay)
    wxpay._notify_url = receiver.url
    prefix = "PK" if args.mode == "public-key" else "CT"
    try:
        control(args.sim_url, "/sim/clock", {"now": SIM_NOW})
        paid_no, closed_no, refund_no = f"SDK{prefix}PAID01", f"SDK{prefix}CLOSE1", f"SDK{prefix}RF01"

        # A Native order as the SDK's own example writes it: no currency.
        prepay = ok_json("Native order without currency",
                         wxpay.pay(description="乐淘-运动鞋", out_trade_no=paid_no,
                                   amount={"total": 2590}, attach="sdk"))
        check("code_url", prepay["code_url"].startswith("weixin://wxpay/bizpayurl?pr="), prepay)
        q = ok_json("query before payment", wxpay.query(out_trade_no=paid_no))
        check("NOTPAY before payment", q["trade_state"] == "NOTPAY", q)

        ok_json("second Native order", wxpay.pay(description="乐淘-袜子", out_trade_no=closed_no,
                                                 amount={"total": 100, "currency": "CNY"}))
        ok_json("close", wxpay.close(out_trade_no=closed_no), status=204)
        q = ok_json("query after close", wxpay.query(out_trade_no=closed_no))
        check("CLOSED after close", q["trade_state"] == "CLOSED", q)

        code, body = wxpay.query(out_trade_no="SDKNOSUCHORDER")
        check("an unknown order is 404 ORDER_NOT_EXIST",
              code == 404 and json.loads(body)["code"] == "ORDER_NOT_EXIST", f"{code} {body}")

        # The payer pays; the notification goes through callback(). The
        # first attempt is a WECHATPAY/SIGNTEST/ probe, which the SDK must
        # refuse; the real notification follows on the retry schedule.
        control(args.sim_url, "/sim/faults", {"signtest": 1})
        control(args.sim_url, "/sim/pay", {"out_trade_no": paid_no})
        n = receiver.next("TRANSACTION.SUCCESS")
        check("the SIGNTEST probe was refused by callback()", len(receiver.refused) == 1, receiver.refused)
        receiver.refused.clear()
        r = n["resource"]
        check("payment notification verified and decrypted",
              r["out_trade_no"] == paid_no and r["trade_state"] == "SUCCESS"
              and r["amount"]["total"] == 2590 and r["attach"] == "sdk", r)
        q = ok_json("query after payment", wxpay.query(out_trade_no=paid_no))
        check("SUCCESS with the notified transaction id",
              q["trade_state"] == "SUCCESS" and q["transaction_id"] == r["transaction_id"], q)
        q = ok_json("query by transaction id", wxpay.query(transaction_id=r["transaction_id"]))
        check("the same order by transaction id", q["out_trade_no"] == paid_no, q)

        refund = ok_json("refund", wxpay.refund(out_refund_no=refund_no, out_trade_no=paid_no,
                                                amount={"refund": 1000, "total": 2590, "currency": "CNY"},
                                                reason="尺码不合适"))
        check("refund accepted", refund["status"] in ("PROCESSING", "SUCCESS")
              and refund["amount"]["refund"] == 1000, refund)
        n = receiver.next("REFUND.SUCCESS")
        check("refund notification verified and decrypted",
              n["resource"]["out_refund_no"] == refund_no and n["resource"]["refund_status"] == "SUCCESS",
              n["resource"])

        def refund_done():
            code, body = wxpay.query_refund(out_refund_no=refund_no)
            return code == 200 and json.loads(body)["status"] == "SUCCESS"
        eventually("refund query says SUCCESS", refund_done)

        bill = ok_json("trade bill", wxpay.trade_bill(bill_date=BILL_DATE, bill_type="ALL", tar_type="GZIP"))
        check("SHA1 announced", bill["hash_type"] == "SHA1" and len(bill["hash_value"]) == 40, bill)
        code, data = wxpay.download_bill(bill["download_url"])
        check("bill download answers 200", code == 200, f"{code} {data[:200]!r}")
        text = gzip.decompress(data)
        check("bill SHA1 matches", hashlib.sha1(text).hexdigest() == bill["hash_value"],
              f"{hashlib.sha1(text).hexdigest()} != {bill['hash_value']}")
        lines = text.decode("utf-8-sig").splitlines()
        check("bill has the payment and the refund",
              sum(paid_no in line for line in lines) == 2 and lines[-2].startswith("总交易单数"), lines)
        check("every other notification the SDK saw was verified", not receiver.refused, receiver.refused)

        # A bill announced with a wrong SHA1 is caught by the same check.
        control(args.sim_url, "/sim/faults", {"corrupt_bills": True})
        bad = ok_json("trade bill (corrupted)", wxpay.trade_bill(bill_date=BILL_DATE, bill_type="ALL"))
        code, data = wxpay.download_bill(bad["download_url"])
        check("a wrong SHA1 is caught", code == 200
              and hashlib.sha1(gzip.decompress(data)).hexdigest() != bad["hash_value"], bad)
        control(args.sim_url, "/sim/faults", {})
    finally:
        receiver.close()
        try:
            control(args.sim_url, "/sim/clock", {"now": None})
        except Exception:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sim-url", required=True)
    p.add_argument("--mode", choices=["public-key", "certificate"], required=True)
    p.add_argument("--merchant-key", required=True)
    p.add_argument("--merchant-serial", required=True)
    p.add_argument("--apiv3-key", required=True)
    p.add_argument("--public-key")
    p.add_argument("--public-key-id")
    args = p.parse_args()
    print(f"wechatpayv3 {wechatpayv3.__version__}, {args.mode} mode, {args.sim_url}", flush=True)
    try:
        run(args)
    except Failed as e:
        print(f"FAILED ({args.mode} mode): {e}", flush=True)
        return 1
    except Exception as e:  # the SDK raises plain Exceptions (e.g. on signatures)
        print(f"FAILED ({args.mode} mode): {type(e).__name__}: {e}", flush=True)
        return 1
    print(f"passed ({args.mode} mode)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
