// What the storefront keeps in localStorage: the signed-in user, the cart and
// the QR codes of unpaid orders (the API gives the QR image only once, when
// the order is created).

import { createClient } from '/common/api.js';
import { link, navigate, currentRoute } from '/common/router.js';

const USER_KEY = 'letao.user';
const CART_KEY = 'letao.cart';
const PAY_KEY = 'letao.pay';

function readJson(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

const listeners = new Set();
/** Calls fn() whenever the cart or the session changes. */
export function onStoreChange(fn) {
  listeners.add(fn);
}
function changed() {
  listeners.forEach((fn) => fn());
}

/** Sends the user to log in, then back to `back` (default: where they are). */
export function goLogin(back = currentRoute().hash.replace(/^#/, '')) {
  const target = back.startsWith('/login') || back.startsWith('/register') ? '/me' : back;
  navigate(link('/login', { back: target }), { replace: true });
}

export const api = createClient({
  tokenKey: 'letao.token',
  onUnauthorized: () => {
    localStorage.removeItem(USER_KEY);
    changed();
    goLogin();
  },
});

export const session = {
  get user() {
    return api.token ? readJson(USER_KEY, null) : null;
  },
  get loggedIn() {
    return Boolean(api.token);
  },
  signIn(token, userInfo) {
    api.setToken(token);
    localStorage.setItem(USER_KEY, JSON.stringify(userInfo ?? null));
    changed();
  },
  setUser(userInfo) {
    localStorage.setItem(USER_KEY, JSON.stringify(userInfo ?? null));
    changed();
  },
  signOut() {
    api.setToken(null);
    localStorage.removeItem(USER_KEY);
    changed();
  },
};

// Cart lines: {productId, size, quantity, name, img, price, stock}; one line
// per product and size, ordered by product and size.
export const cart = {
  get lines() {
    return readJson(CART_KEY, []).filter((l) => Number.isInteger(l?.productId) && l.quantity > 0);
  },
  save(lines) {
    localStorage.setItem(CART_KEY, JSON.stringify(lines));
    changed();
  },
  get count() {
    return cart.lines.reduce((n, l) => n + l.quantity, 0);
  },
  add(product, size, quantity) {
    const lines = cart.lines;
    const line = lines.find((l) => l.productId === product.id && l.size === size);
    const max = Math.min(99, product.stock);
    if (line) line.quantity = Math.min(max, line.quantity + quantity);
    else {
      lines.push({
        productId: product.id,
        size,
        quantity: Math.min(max, quantity),
        name: product.name,
        img: product.img,
        price: product.price,
        stock: product.stock,
      });
    }
    cart.save(lines);
  },
  setQuantity(productId, size, quantity) {
    cart.save(cart.lines.map((l) => (l.productId === productId && l.size === size ? { ...l, quantity } : l)));
  },
  remove(productId, size) {
    const same = (l) => l.productId === productId && (l.size || null) === (size || null);
    cart.save(cart.lines.filter((l) => !same(l)));
  },
  /** Updates price and stock of a product's lines from a fresh product. */
  refresh(product) {
    cart.save(
      cart.lines.map((l) =>
        l.productId === product.id
          ? { ...l, name: product.name, img: product.img, price: product.price, stock: product.stock }
          : l,
      ),
    );
  },
};

/** QR codes of unpaid orders, by out_trade_no (dropped once paid or expired). */
export const payCodes = {
  all() {
    const now = Date.now();
    const map = readJson(PAY_KEY, {});
    for (const [no, v] of Object.entries(map)) {
      if (!v?.expires_at || Date.parse(v.expires_at) < now) delete map[no];
    }
    return map;
  },
  get(no) {
    return payCodes.all()[no] ?? null;
  },
  put(data) {
    const map = payCodes.all();
    map[data.out_trade_no] = {
      payUrl: data.payUrl,
      total_fee: data.total_fee,
      expires_at: data.expires_at,
    };
    localStorage.setItem(PAY_KEY, JSON.stringify(map));
  },
  drop(no) {
    const map = payCodes.all();
    delete map[no];
    localStorage.setItem(PAY_KEY, JSON.stringify(map));
  },
};
