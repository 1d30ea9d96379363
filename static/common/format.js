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

// Chinese names of the order states, for display only: which states exist
// and which a screen offers come from the server (/openapi.json). A state
// without a name here shows as the server wrote it.
export const TRADE_STATE_LABELS = {
  NOTPAY: '待支付',
  SUCCESS: '已支付',
  CLOSED: '已关闭',
  REFUND: '已退款',
};

export const FULFILMENT_LABELS = {
  UNSHIPPED: '待发货',
  SHIPPED: '已发货',
  RECEIVED: '已收货',
  CANCELLED: '已取消',
};

export const tradeStateLabel = (s) => TRADE_STATE_LABELS[s] ?? s ?? '—';
export const fulfilmentLabel = (s) => FULFILMENT_LABELS[s] ?? s ?? '—';

/** One line for an address object. */
export function addressLine(a) {
  if (!a) return '';
  return [a.province, a.city, a.district, a.detail].filter(Boolean).join(' ');
}

export const MOBILE_RE = /^1[3-9]\d{9}$/;
