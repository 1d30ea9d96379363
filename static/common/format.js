// Money, time and state labels. Product prices arrive in yuan (JSON numbers);
// order amounts (total_fee, unit_fee, refund_fee, refunded_fee) in fen.

export function yuan(value) {
  const n = Number(value);
  return Number.isFinite(n) ? `¥${n.toFixed(2)}` : '—';
}

export function fen(value) {
  const n = Number(value);
  if (!Number.isInteger(n)) return '—';
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Yuan typed by a person ("12", "12.5", "12.50") to integer fen, or null. */
export function yuanToFen(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(String(text));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Integer fen to a yuan string with two decimals ("12.50"). */
export function fenToYuanText(value) {
  return fen(value).replace('¥', '');
}

const pad = (n) => String(n).padStart(2, '0');

/** RFC 3339 time to local "YYYY-MM-DD HH:MM". */
export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const TRADE_STATES = {
  NOTPAY: '待支付',
  SUCCESS: '已支付',
  CLOSED: '已关闭',
  REFUND: '已退款',
  REVOKED: '已撤销',
  USERPAYING: '支付中',
  PAYERROR: '支付失败',
};

export const FULFILMENTS = {
  UNSHIPPED: '待发货',
  SHIPPED: '已发货',
  RECEIVED: '已收货',
};

export const tradeStateLabel = (s) => TRADE_STATES[s] ?? s ?? '—';
export const fulfilmentLabel = (s) => FULFILMENTS[s] ?? s ?? '—';

/** One line for an address object. */
export function addressLine(a) {
  if (!a) return '';
  return [a.province, a.city, a.district, a.detail].filter(Boolean).join(' ');
}

export const MOBILE_RE = /^1[3-9]\d{9}$/;
