// Paying where the buyer is: inside WeChat (user agent MicroMessenger) by
// JSAPI, in another phone browser by H5 (WeChat's cashier page), on a
// computer by the QR code (NATIVE). The page's callback or return never
// means paid: the payment page asks the server.

/** The trade type for this browser. */
export function tradeType(ua = navigator.userAgent) {
  if (/MicroMessenger/i.test(ua)) return 'JSAPI';
  if (/Android|iPhone|iPad|iPod|Mobile|HarmonyOS/i.test(ua)) return 'H5';
  return 'NATIVE';
}

/** Waits for WeChat's bridge (WeChat injects it; it may come after the page). */
function bridge() {
  if (typeof window.WeixinJSBridge?.invoke === 'function') return Promise.resolve(window.WeixinJSBridge);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('微信支付不可用：请在微信中打开本页')), 10_000);
    document.addEventListener(
      'WeixinJSBridgeReady',
      () => {
        clearTimeout(timer);
        resolve(window.WeixinJSBridge);
      },
      { once: true },
    );
  });
}

/** Asks WeChat to pay with the signed JSAPI parameters: 'ok', 'cancel' or 'fail'. */
export async function payInWechat(params) {
  const b = await bridge();
  return new Promise((resolve) => {
    b.invoke('getBrandWCPayRequest', params, (res) => {
      const m = /:(ok|cancel|fail)$/.exec(res?.err_msg ?? '');
      resolve(m ? m[1] : 'fail');
    });
  });
}

/** Goes to WeChat's cashier, which comes back to this order's payment page. */
export function goToCashier(h5Url, no) {
  const back = `${location.origin}${location.pathname}#/pay/${encodeURIComponent(no)}`;
  location.assign(`${h5Url}&redirect_url=${encodeURIComponent(back)}`);
}

/** Inside WeChat without the buyer's openid (409/1062): the OAuth round trip. */
export function needsOpenid(err) {
  if (err?.code !== 1062 || !err.data?.oauthUrl) return false;
  location.assign(err.data.oauthUrl);
  return true;
}
