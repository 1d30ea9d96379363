"""Phone payments checked against two merchant SDKs this project did not write.

    python phone.py --sim-url http://127.0.0.1:PORT --merchant-key KEY.pem \
        --merchant-serial SERIAL --apiv3-key KEY --public-key PUB.pem \
        --public-key-id ID --api-key V2KEY --params-bin client_params

wechatpayv3 (v3): a JSAPI order for a buyer's openid; the SDK's own JSAPI
paySign (its sign() helper) must equal the one wechat-pay makes for the same
inputs (client_params), and the simulator's bridge — wechat-pay's verifier —
must accept it and pay; the notification through the SDK's callback() and
the query say JSAPI and the buyer. A paySign for another order is refused.
An H5 order: its h5_url's cashier page opens from the order's address with
a Referer, pays on its button and goes back to redirect_url; an H5 order
for another address is refused by the cashier.

wechatpy (v2): a JSAPI order placed with wechatpy; its JSAPI parameters
(MD5, the only sign type it writes) must equal wechat-pay's, and the bridge
must accept them and pay.

Prints one line per check; exits non-zero at the first failure.
"""

import argparse
import http.client
import json
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import wechatpy
import wechatpayv3
from wechatpy.pay import WeChatPay as V2Pay
from wechatpayv3 import WeChatPay, WeChatPayType

from driver import APPID, MCHID, Failed, Receiver, check, control, ok_json, point_sdk_at

CHINA = timezone(timedelta(hours=8))


def ours(params_bin, *args):
    """wechat-pay's JSAPI parameters for the same inputs."""
    out = subprocess.run([params_bin, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def bridge(sim_url, params):
    """What WeixinJSBridge.invoke('getBrandWCPayRequest', params) answers."""
    req = urllib.request.Request(sim_url + "/sim/jsbridge/pay", data=json.dumps(params).encode(),
                                 method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())


def raw(sim_url, method, path, headers=None, body=None):
    """A request without redirects followed: (status, headers, text)."""
    host = urllib.parse.urlsplit(sim_url).netloc
    conn = http.client.HTTPConnection(host, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    text = res.read().decode("utf-8", "replace")
    conn.close()
    return res.status, dict(res.getheaders()), text


def v3_checks(args, receiver, wxpay, openid):
    stamp = str(int(time.time()))
    no = f"SDKJS{stamp}"
    prepay = ok_json("v3 JSAPI order", wxpay.pay(description="乐淘-运动鞋", out_trade_no=no,
                                                amount={"total": 2590}, payer={"openid": openid},
                                                pay_type=WeChatPayType.JSAPI))
    prepay_id = prepay["prepay_id"]
    nonce = secrets.token_hex(16)
    package = f"prepay_id={prepay_id}"
    sdk_sign = wxpay.sign([APPID, stamp, nonce, package])
    mine = ours(args.params_bin, "v3", "--key", args.merchant_key, "--appid", APPID,
                "--prepay-id", prepay_id, "--timestamp", stamp, "--nonce", nonce)
    check("wechatpayv3's JSAPI paySign equals wechat-pay's", sdk_sign == mine["paySign"],
          f"{sdk_sign} != {mine['paySign']}")
    params = {"appId": APPID, "timeStamp": stamp, "nonceStr": nonce, "package": package,
              "signType": "RSA", "paySign": sdk_sign}
    check("wechat-pay's parameters are the SDK's", params == mine, f"{params} != {mine}")

    other = wxpay.sign([APPID, stamp, nonce, "prepay_id=wx-another-order"])
    answer = bridge(args.sim_url, {**params, "paySign": other})
    check("a paySign for another order is refused", answer["err_msg"] == "get_brand_wcpay_request:fail", answer)
    answer = bridge(args.sim_url, params)
    check("the SDK's paySign verifies with wechat-pay's verifier and pays",
          answer["err_msg"] == "get_brand_wcpay_request:ok", answer)
    n = receiver.next("TRANSACTION.SUCCESS")
    r = json.loads(n["resource"]) if isinstance(n["resource"], str) else n["resource"]
    check("the notification is the JSAPI order's", r["out_trade_no"] == no and r["trade_type"] == "JSAPI", r)
    check("the notification names the buyer", r["payer"]["openid"] == openid, r)
    q = ok_json("query after the bridge", wxpay.query(out_trade_no=no))
    check("SUCCESS, JSAPI", q["trade_state"] == "SUCCESS" and q["trade_type"] == "JSAPI", q)

    # H5 from this address, then from another one.
    h5_no, far_no = f"SDKH5{stamp}", f"SDKHF{stamp}"
    scene = {"payer_client_ip": "127.0.0.1", "h5_info": {"type": "Wap"}}
    h5 = ok_json("v3 H5 order", wxpay.pay(description="乐淘-运动鞋", out_trade_no=h5_no,
                                          amount={"total": 100}, scene_info=scene,
                                          pay_type=WeChatPayType.H5))
    check("h5_url is the simulator's cashier", h5["h5_url"].startswith(args.sim_url + "/sim/h5/cashier?"), h5)
    back = "https://m.shop.example.com/orders/" + h5_no
    cashier = urllib.parse.urlsplit(h5["h5_url"])
    path = f"{cashier.path}?{cashier.query}&redirect_url={urllib.parse.quote(back, safe='')}"
    status, _, page = raw(args.sim_url, "GET", path, {"Referer": "https://m.shop.example.com/pay"})
    check("the cashier opens from the order's address", status == 200 and 'id="pay"' in page, f"{status} {page[:200]}")
    prepay_id = urllib.parse.parse_qs(cashier.query)["prepay_id"][0]
    form = urllib.parse.urlencode({"prepay_id": prepay_id, "redirect_url": back})
    status, headers, _ = raw(args.sim_url, "POST", "/sim/h5/pay",
                             {"Content-Type": "application/x-www-form-urlencoded"}, form)
    check("paying goes back to redirect_url", status == 303 and headers.get("location") == back, f"{status} {headers}")
    q = ok_json("query after the cashier", wxpay.query(out_trade_no=h5_no))
    check("SUCCESS, MWEB", q["trade_state"] == "SUCCESS" and q["trade_type"] == "MWEB", q)
    receiver.next("TRANSACTION.SUCCESS")

    far = ok_json("v3 H5 order for another address",
                  wxpay.pay(description="乐淘-运动鞋", out_trade_no=far_no, amount={"total": 100},
                            scene_info={**scene, "payer_client_ip": "203.0.113.7"}, pay_type=WeChatPayType.H5))
    cashier = urllib.parse.urlsplit(far["h5_url"])
    status, _, page = raw(args.sim_url, "GET", f"{cashier.path}?{cashier.query}",
                          {"Referer": "https://m.shop.example.com/pay"})
    check("the cashier refuses another address", status == 403 and "网络环境" in page, f"{status} {page[:200]}")


def v2_checks(args, openid):
    client = V2Pay(appid=APPID, api_key=args.api_key, mch_id=MCHID)
    client.API_BASE_URL = args.sim_url + "/"
    stamp = str(int(time.time()))
    no = f"SDKPY{stamp}"
    order = client.order.create(trade_type="JSAPI", body="乐淘-运动鞋", total_fee=100,
                                notify_url="http://127.0.0.1:9/notify", client_ip="127.0.0.1",
                                user_id=openid, out_trade_no=no,
                                time_expire=datetime.now(CHINA) + timedelta(hours=2))
    check("wechatpy's v2 JSAPI order is accepted", bool(order.get("prepay_id")), order)
    nonce = secrets.token_hex(16)
    params = client.jsapi.get_jsapi_params(order["prepay_id"], timestamp=stamp, nonce_str=nonce)
    mine = ours(args.params_bin, "v2", "--api-key", args.api_key, "--sign-type", "MD5", "--appid", APPID,
                "--prepay-id", order["prepay_id"], "--timestamp", stamp, "--nonce", nonce)
    check("wechatpy's MD5 paySign equals wechat-pay's", params["paySign"] == mine["paySign"],
          f"{params['paySign']} != {mine['paySign']}")
    check("wechatpy's parameters are wechat-pay's", params == mine, f"{params} != {mine}")
    answer = bridge(args.sim_url, params)
    check("wechatpy's paySign verifies with wechat-pay's verifier and pays",
          answer["err_msg"] == "get_brand_wcpay_request:ok", answer)
    q = client.order.query(out_trade_no=no)
    check("v2 query: SUCCESS, JSAPI, the buyer",
          q["trade_state"] == "SUCCESS" and q["trade_type"] == "JSAPI" and q["openid"] == openid, q)


def main():
    p = argparse.ArgumentParser()
    for name in ("sim-url", "merchant-key", "merchant-serial", "apiv3-key", "public-key",
                 "public-key-id", "api-key", "params-bin"):
        p.add_argument("--" + name, required=True)
    args = p.parse_args()
    print(f"wechatpayv3 {wechatpayv3.__version__}, wechatpy {wechatpy.__version__}, {args.sim_url}", flush=True)
    point_sdk_at(args.sim_url)
    with open(args.merchant_key) as f:
        merchant_key = f.read()
    with open(args.public_key) as f:
        public_key = f.read()
    wxpay = WeChatPay(wechatpay_type=WeChatPayType.JSAPI, mchid=MCHID, private_key=merchant_key,
                      cert_serial_no=args.merchant_serial, appid=APPID, apiv3_key=args.apiv3_key,
                      notify_url="http://127.0.0.1:9/notify", public_key=public_key,
                      public_key_id=args.public_key_id)
    receiver = Receiver(wxpay)
    wxpay._notify_url = receiver.url
    try:
        openid = control(args.sim_url, "/sim/openid?sim_user=sdk")["openid"]
        check("the buyer's openid", openid.startswith("o") and len(openid) == 28, openid)
        v3_checks(args, receiver, wxpay, openid)
        v2_checks(args, openid)
    except Failed as e:
        print(f"FAILED: {e}", flush=True)
        return 1
    finally:
        receiver.close()
    print("all phone checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
