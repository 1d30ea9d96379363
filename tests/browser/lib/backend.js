// Talking to the server, the simulator, the SMS outbox and the database
// directly: setting up users and data, and paying as the buyer's phone would.

import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BASE_URL, SIM_URL, OUTBOX, DB_PATH, LETAO_BIN, WORK_DIR, JWT_SECRET } from './env.js';

/** A JSON call to the shop API; resolves to {status (HTTP), body}. */
export async function api(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(BASE_URL + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: res.status, body: json };
}

async function ok(method, path, body, token) {
  const r = await api(method, path, body, token);
  if (r.status !== 200) throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

function outboxLines() {
  if (!existsSync(OUTBOX)) return [];
  return readFileSync(OUTBOX, 'utf8').split('\n').filter(Boolean);
}

/** How many messages the outbox holds now (pass to smsCode as `after`). */
export function outboxCount() {
  return outboxLines().length;
}

/** The code of the first message to `mobile` after line `after`, waiting up to 10 s. */
export async function smsCode(mobile, after = 0) {
  for (let i = 0; i < 100; i++) {
    for (const line of outboxLines().slice(after)) {
      const msg = JSON.parse(line);
      if (String(msg.to).endsWith(mobile)) return String(msg.params[0]);
    }
    await sleep(100);
  }
  throw new Error(`no SMS to ${mobile} in ${OUTBOX}`);
}

/** Registers a user through the API (SMS code from the outbox) and logs in. */
export async function registerUser({ username, password, mobile }) {
  const before = outboxCount();
  await ok('POST', '/sms', { mobile, purpose: 'register' });
  const smscode = await smsCode(mobile, before);
  await ok('POST', '/register', { username, password, repeat_password: password, mobile, smscode });
  return ok('POST', '/login', { username, password });
}

/** The payer scans and pays: the simulator marks the order paid and notifies the shop. */
export async function simPay(outTradeNo) {
  const res = await fetch(`${SIM_URL}/sim/pay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ out_trade_no: outTradeNo }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sim pay ${outTradeNo}: HTTP ${res.status} ${text}`);
  return text;
}

/** `letao-server grant-admin USERNAME [--role ROLE]` against the test database. */
export function grantRole(username, role) {
  if (!LETAO_BIN) throw new Error('LETAO_BIN is not set');
  const args = ['grant-admin', username];
  // The first backend round knows only the admin flag (no --role).
  if (role && role !== 'admin') args.push('--role', role);
  const r = spawnSync(LETAO_BIN, args, { cwd: WORK_DIR, encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`letao-server ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
}

/** Sets the stock of every size of a product in the SQLite database (python3's sqlite3). */
export function setStock(productId, stock) {
  if (!DB_PATH) throw new Error('LETAO_DB_PATH is not set');
  const script = [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1], timeout=30)',
    'n = db.execute("UPDATE sku SET stock = ? WHERE product_id = ?", (int(sys.argv[3]), int(sys.argv[2]))).rowcount',
    'db.commit()',
    'sys.exit(0 if n >= 1 else 3)',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, DB_PATH, String(productId), String(stock)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`setting stock of product ${productId} failed (${r.status}): ${r.stderr}`);
}

/**
 * Sets one size of a product in the SQLite database: its `stock` and/or its
 * own price in fen (`priceFen`). The catalogue cache serves the old values
 * for up to `catalogue.cache_ttl_ms` (1 s in tests) after.
 */
export function setSku(productId, size, { stock, priceFen } = {}) {
  if (!DB_PATH) throw new Error('LETAO_DB_PATH is not set');
  const script = [
    'import sqlite3, sys, json',
    'db = sqlite3.connect(sys.argv[1], timeout=30)',
    'pid, size, want = int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])',
    'n = 0',
    'if "stock" in want: n = db.execute("UPDATE sku SET stock = ? WHERE product_id = ? AND size = ?", (want["stock"], pid, size)).rowcount',
    'if "priceFen" in want: n = db.execute("UPDATE sku SET price_fen = ? WHERE product_id = ? AND size = ?", (want["priceFen"], pid, size)).rowcount',
    'db.commit()',
    'sys.exit(0 if n == 1 else 3)',
  ].join('\n');
  const want = {};
  if (stock != null) want.stock = stock;
  if (priceFen != null) want.priceFen = priceFen;
  const r = spawnSync('python3', ['-c', script, DB_PATH, String(productId), size, JSON.stringify(want)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`setting size ${size} of product ${productId} failed (${r.status}): ${r.stderr}`);
}

const b64url = (data) => Buffer.from(data).toString('base64url');

/**
 * A token the server refuses: signed with the server's key but expired an
 * hour ago (when the key is known), else a valid-looking token with a wrong
 * signature.
 */
export function refusedToken(userId, validToken) {
  if (JWT_SECRET) {
    const now = Math.floor(Date.now() / 1000);
    const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const claims = b64url(JSON.stringify({ sub: String(userId), iat: now - 40 * 3600, exp: now - 3600 }));
    const sig = createHmac('sha256', JWT_SECRET).update(`${head}.${claims}`).digest('base64url');
    return `${head}.${claims}.${sig}`;
  }
  const [h, c, s] = validToken.split('.');
  return `${h}.${c}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
}

/** Whether the server has the second-round routes (addresses, owner API). */
export async function hasRound2() {
  const r = await api('GET', '/addresses');
  return r.status === 401;
}

/**
 * Where the two faces are served: `/` and `/admin` once the routes are wired,
 * until then the static fallback's `/index.html` and `/admin/index.html`.
 */
export async function entryPaths() {
  const serves = async (path, script) => {
    const res = await fetch(BASE_URL + path);
    return res.ok && (await res.text()).includes(script);
  };
  return {
    shop: (await serves('/', '/shop/app.js')) ? '/' : '/index.html',
    admin: (await serves('/admin', '/console/app.js')) ? '/admin' : '/admin/index.html',
  };
}

/** The `enum` of a schema of the server's /openapi.json, through `$ref` and `oneOf`/`anyOf`. */
function enumOf(doc, schema) {
  const ref = schema?.$ref?.match(/^#\/components\/schemas\/(.+)$/);
  const s = ref ? doc.components.schemas[ref[1]] : schema;
  if (!s) return [];
  if (Array.isArray(s.enum)) return s.enum.filter((v) => typeof v === 'string');
  return [...new Set([...(s.oneOf ?? []), ...(s.anyOf ?? [])].flatMap((x) => enumOf(doc, x)))];
}

/**
 * The order states the server publishes: `filters` (what `GET /admin/orders`
 * takes as `trade_state` and `fulfilment`) and `replies` (every value any
 * reply schema gives those fields), as arrays.
 */
export async function publishedStates() {
  const doc = await ok('GET', '/openapi.json');
  const params = doc.paths['/admin/orders'].get.parameters;
  const filters = {};
  const replies = {};
  for (const name of ['trade_state', 'fulfilment']) {
    filters[name] = enumOf(doc, params.find((p) => p.in === 'query' && p.name === name)?.schema);
    const values = Object.values(doc.components.schemas).flatMap((s) => {
      const property = s.properties?.[name];
      return property ? enumOf(doc, property) : [];
    });
    replies[name] = [...new Set(values)];
  }
  return { filters, replies };
}
