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
    serverCart = null;
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
    serverCart = null;
    localStorage.setItem(USER_KEY, JSON.stringify(userInfo ?? null));
    changed();
  },
  setUser(userInfo) {
    localStorage.setItem(USER_KEY, JSON.stringify(userInfo ?? null));
    changed();
  },
  signOut() {
    api.setToken(null);
    serverCart = null;
    localStorage.removeItem(USER_KEY);
    changed();
  },
};

// The cart. Before sign-in it is the device's (localStorage), lines
// {skuId, productId, size, colour, quantity, name, img, price, stock}, one per
// SKU. Signed in, it is the server's (GET/PUT/DELETE /cart): `lines` is then
// the last reply, and the device's lines are merged into it (POST
// /cart/merge) and cleared here the first time the cart is loaded.
// Every line may carry `available` (the server's word; the device's lines
// count as available while they have stock).

/** Line identity: the SKU, or for lines stored before SKUs the product and size. */
const sameLine = (a, b) => (a.skuId != null || b.skuId != null ? a.skuId === b.skuId : a.productId === b.productId && (a.size || null) === (b.size || null));

function localLines() {
  return readJson(CART_KEY, [])
    .filter((l) => Number.isInteger(l?.productId) && l.quantity > 0)
    .map((l) => ({ ...l, available: l.available ?? l.stock >= l.quantity }));
}

function saveLocal(lines) {
  if (lines.length) localStorage.setItem(CART_KEY, JSON.stringify(lines));
  else localStorage.removeItem(CART_KEY);
  changed();
}

let serverCart = null; // {lines, total_fee} of the signed-in buyer, once loaded
let mergeNotice = null;

function keepServer(reply) {
  serverCart = reply.cart ?? { lines: [], total_fee: 0 };
  changed();
  return serverCart;
}

/**
 * The SKU a line of the device's cart names, looked up for lines stored
 * before SKUs: null when the product or the size is gone. Other failures
 * throw, so the device keeps its lines for the next try.
 */
async function skuOfLegacyLine(line) {
  let product;
  try {
    ({ product } = await api.get(`/products/${line.productId}`));
  } catch (err) {
    if (err.httpStatus === 404) return null;
    throw err;
  }
  const skus = product?.skus ?? [];
  const match = skus.filter((s) => (line.size ? s.size === line.size : true) && (!line.colour || s.colour === line.colour));
  return match.length === 1 ? match[0].id : null;
}

let inFlight = null;

/** The server's cart, after merging the device's lines into it (then cleared here). */
async function loadServer() {
  const local = localLines();
  if (local.length === 0) {
    keepServer(await api.get('/cart', { auth: true }));
    return 0;
  }
  const sent = []; // [device line, skuId]
  const lost = [];
  for (const l of local) {
    const skuId = l.skuId ?? (await skuOfLegacyLine(l));
    if (skuId == null) lost.push(l);
    else sent.push([l, skuId]);
  }
  const reply = sent.length
    ? await api.post('/cart/merge', { lines: sent.slice(0, 100).map(([l, skuId]) => ({ skuId, quantity: Math.min(99, l.quantity) })) }, { auth: true })
    : await api.get('/cart', { auth: true });
  const skipped = new Set(reply.skipped ?? []);
  const dropped = [...lost, ...sent.filter(([, skuId], i) => skipped.has(skuId) || i >= 100).map(([l]) => l)];
  const names = dropped.map((l) => `${l.name}${l.size ? ` ${l.size} 码` : ''}`);
  if (names.length) mergeNotice = `以下商品已下架或无法加入购物车：${names.join('、')}`;
  localStorage.removeItem(CART_KEY);
  keepServer(reply);
  return 0;
}

export const cart = {
  /** Whether the lines are the server's. */
  get onServer() {
    return Boolean(api.token);
  },
  get lines() {
    if (cart.onServer) return serverCart?.lines ?? [];
    return localLines();
  },
  get count() {
    return cart.lines.reduce((n, l) => n + l.quantity, 0);
  },
  /** What the available lines cost, in fen. */
  get totalFee() {
    if (cart.onServer) return serverCart?.total_fee ?? 0;
    return localLines()
      .filter((l) => l.available)
      .reduce((sum, l) => sum + Math.round(l.price * 100) * l.quantity, 0);
  },
  /** Lines a merge could not carry over, once, as text (or null). */
  takeMergeNotice() {
    const text = mergeNotice;
    mergeNotice = null;
    return text;
  },
  /**
   * Loads the cart: the server's when signed in (after merging the device's
   * lines into it), else refreshes the device's lines from the catalogue.
   * Resolves to the number of products that could not be refreshed.
   */
  async load() {
    if (cart.onServer) {
      // One load at a time: two merges of the same device lines would add
      // their quantities twice.
      inFlight ??= loadServer().finally(() => {
        inFlight = null;
      });
      return inFlight;
    }
    const ids = [...new Set(localLines().map((l) => l.productId))];
    const results = await Promise.allSettled(ids.map((id) => api.get(`/products/${id}`)));
    let failed = 0;
    for (const r of results) {
      if (r.status === 'fulfilled' && r.value.product) cart.refresh(r.value.product);
      else failed += 1;
    }
    return failed;
  },
  /**
   * Adds `quantity` of a SKU, at most its stock and 99 in all. Resolves to
   * how many were added (0 when the line already holds that many).
   */
  async add(product, sku, quantity) {
    const max = Math.min(99, sku.stock);
    if (cart.onServer) {
      if (!serverCart) await cart.load();
      const have = cart.lines.find((l) => l.skuId === sku.id)?.quantity ?? 0;
      const n = Math.min(max, have + quantity);
      if (n <= have) return 0;
      keepServer(await api.put(`/cart/lines/${sku.id}`, { quantity: n }, { auth: true }));
      return n - have;
    }
    const lines = localLines();
    const line = lines.find((l) => sameLine(l, { skuId: sku.id }));
    const have = line?.quantity ?? 0;
    if (Math.min(max, have + quantity) <= have) return 0;
    if (line) line.quantity = Math.min(max, line.quantity + quantity);
    else {
      lines.push({
        skuId: sku.id,
        productId: product.id,
        size: sku.size,
        colour: sku.colour ?? null,
        quantity: Math.min(max, quantity),
        name: product.name,
        img: product.img,
        price: sku.price ?? product.price,
        stock: sku.stock,
      });
    }
    saveLocal(lines.map(({ available, ...l }) => l));
    return Math.min(max, have + quantity) - have;
  },
  /** Sets a line's quantity (0 removes it). */
  async setQuantity(line, quantity) {
    if (cart.onServer) {
      keepServer(await api.put(`/cart/lines/${line.skuId}`, { quantity }, { auth: true }));
      return;
    }
    const lines = localLines()
      .map((l) => (sameLine(l, line) ? { ...l, quantity } : l))
      .filter((l) => l.quantity > 0)
      .map(({ available, ...l }) => l);
    saveLocal(lines);
  },
  remove(line) {
    return cart.setQuantity(line, 0);
  },
  /** Updates the device's lines of a product from a fresh product (price and stock per SKU). */
  refresh(product) {
    const skus = product.skus ?? null;
    saveLocal(
      localLines().map(({ available, ...l }) => {
        if (l.productId !== product.id) return l;
        const fresh = { ...l, name: product.name, img: product.img };
        if (!skus) return { ...fresh, price: product.price, stock: product.stock };
        const sku = skus.find((s) => (l.skuId != null ? s.id === l.skuId : s.size === l.size && (!l.colour || s.colour === l.colour)));
        // A SKU no longer listed is no longer sold: shown with no stock.
        if (!sku) return { ...fresh, stock: 0 };
        return { ...fresh, skuId: sku.id, size: sku.size, colour: sku.colour ?? null, price: sku.price ?? product.price, stock: sku.stock };
      }),
    );
  },
  /** Forgets the server's lines (sign-out, or a refused token). */
  forget() {
    serverCart = null;
    changed();
  },
};

/**
 * Loads the signed-in buyer's cart for the badge without leaving the page:
 * a token the server refuses signs the buyer out quietly here (the screens
 * that need the token send them to log in), so this call goes around the
 * client's "log in again" handling.
 */
export async function loadCartQuietly() {
  const token = api.token;
  if (!token) return;
  try {
    const res = await fetch('/cart', { headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } });
    if (res.status === 401) {
      if (api.token === token) session.signOut();
      return;
    }
    const reply = await res.json();
    if (res.ok && reply?.status === 200 && api.token === token && !serverCart) keepServer(reply);
  } catch {
    // The badge stays as it was; the cart screen reports errors.
  }
}

/** QR codes of unpaid orders and their lines, by out_trade_no (dropped once paid or expired). */
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
  /** Keeps an order's code, and its lines ({name, size, colour, quantity}) for the receipt. */
  put(data, items = []) {
    const map = payCodes.all();
    map[data.out_trade_no] = {
      tradeType: data.tradeType ?? 'NATIVE',
      payUrl: data.payUrl,
      h5_url: data.h5_url,
      jsapi: data.jsapi,
      total_fee: data.total_fee,
      expires_at: data.expires_at,
      items,
    };
    localStorage.setItem(PAY_KEY, JSON.stringify(map));
  },
  drop(no) {
    const map = payCodes.all();
    delete map[no];
    localStorage.setItem(PAY_KEY, JSON.stringify(map));
  },
};
