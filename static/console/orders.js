// Orders: the list to ship (GET /admin/orders with filters), one order
// (GET /admin/orders/{no}) with ship (POST .../ship) and, for admins, refunds
// (POST /admin/refund), and its packing slip (each line's stock code, size,
// colour and quantity, as placed). The filters offer the states the server publishes
// for them in /openapi.json, so every choice is one it accepts.

import { h, replace, load, field, formStatus, onSubmit } from '/common/dom.js';
import { fen, dateTime, tradeStateLabel, fulfilmentLabel, addressLine, yuanToFen, fenToYuanText } from '/common/format.js';
import { apiDocument, queryValues } from '/common/openapi.js';
import { link } from '/common/router.js';
import { table, pagedList, show, exportLink } from '/console/widgets.js';

const PAGE_SIZE = 20;
const CARRIERS = ['顺丰速运', '中通快递', '圆通速递', '韵达快递', '申通快递', '京东物流', 'EMS', '邮政快递包裹', '极兔速递'];

function stateBadge(kind, value) {
  const label = kind === 'trade' ? tradeStateLabel(value) : fulfilmentLabel(value);
  return h('span', { class: `state s-${String(value).toLowerCase()}` }, label);
}

function options(values, labelOf, selected, allLabel) {
  return [
    h('option', { value: '', selected: !selected }, allLabel),
    ...values.map((value) => {
      const label = labelOf(value);
      return h('option', { value, selected: value === selected }, label === value ? value : `${label}（${value}）`);
    }),
  ];
}

export async function ordersList(ctx) {
  ctx.setTitle('订单');
  const doc = await apiDocument(ctx.api);
  if (!ctx.alive()) return;
  const choices = {
    trade_state: queryValues(doc, '/admin/orders', 'trade_state'),
    fulfilment: queryValues(doc, '/admin/orders', 'fulfilment'),
  };
  // Without chosen filters, show what waits for shipping. A state the server
  // does not offer (an old link) is dropped rather than sent to be refused.
  const chosen = ctx.query.f === '1';
  const pick = (name, fallback) => {
    const value = chosen ? ctx.query[name] ?? '' : fallback;
    return choices[name].includes(value) ? value : '';
  };
  const filters = {
    trade_state: pick('trade_state', 'SUCCESS'),
    fulfilment: pick('fulfilment', 'UNSHIPPED'),
    q: ctx.query.q ?? '',
  };
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    field('支付状态', h('select', { name: 'trade_state' }, options(choices.trade_state, tradeStateLabel, filters.trade_state, '全部'))),
    field('发货状态', h('select', { name: 'fulfilment' }, options(choices.fulfilment, fulfilmentLabel, filters.fulfilment, '全部'))),
    field('搜索', h('input', { name: 'q', type: 'search', value: filters.q, placeholder: '订单号、用户名或手机号' })),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'btn primary' }, '筛选'), h('a', { class: 'btn', href: '#/orders' }, '待发货')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    ctx.navigate(link('/orders', { ...data, q: data.q.trim(), f: 1 }));
  });

  const body = h('tbody');
  const footer = h('div', { class: 'list-footer' });
  ctx.main.append(
    h('h1', null, chosen ? '订单' : '待发货订单'),
    form,
    // Every order of these filters as a file for Excel.
    exportLink(ctx, '导出 Excel（CSV）', '/admin/orders.csv', filters, 'orders.csv'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'orders-table' },
        h('caption', { class: 'sr-only' }, '订单列表'),
        h('thead', null, h('tr', null, ['订单号', '买家', '商品', '金额', '支付', '发货', '下单时间'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      ),
    ),
    footer,
  );

  await pagedList({
    body,
    footer,
    alive: ctx.alive,
    empty: '没有符合条件的订单',
    fetchPage: async (after) => {
      const r = await ctx.api.get('/admin/orders', { auth: true, query: { ...filters, pageSize: PAGE_SIZE, after } });
      return { items: r.orders ?? [], next: r.next, total: r.total };
    },
    renderItem: (o) =>
      h(
        'tr',
        { 'data-order': o.out_trade_no },
        h('td', null, h('a', { href: `#/orders/${encodeURIComponent(o.out_trade_no)}`, class: 'mono' }, o.out_trade_no)),
        h('td', null, o.user?.username ?? '—', h('br'), h('small', { class: 'muted' }, o.user?.mobile ?? '')),
        h('td', null, (o.items ?? []).map((i) => h('div', null, `${i.name}${i.size ? ` ${sizeText(i)}` : ''} × ${i.quantity}`))),
        h('td', { class: 'num' }, fen(o.total_fee), o.refunded_fee > 0 && h('div', { class: 'muted' }, `已退 ${fen(o.refunded_fee)}`)),
        h('td', null, stateBadge('trade', o.trade_state)),
        h('td', null, stateBadge('fulfil', o.fulfilment), !o.address && o.fulfilment === 'UNSHIPPED' && h('div', { class: 'muted' }, '无地址')),
        h('td', null, dateTime(o.created_at)),
      ),
  });
}

export async function orderDetail(ctx) {
  const no = ctx.params.no;
  ctx.setTitle(`订单 ${no}`);
  const box = h('div');
  ctx.main.append(h('p', null, h('a', { href: '#/orders' }, '← 返回订单列表')), h('h1', null, '订单 ', h('span', { class: 'mono' }, no)), box);
  const reload = () =>
    load(box, () => ctx.api.get(`/admin/orders/${encodeURIComponent(no)}`, { auth: true }), ({ order }) => render(ctx, box, order, reload), {
      alive: ctx.alive,
    });
  await reload();
}

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '—')]),
  );
}

function render(ctx, box, o, reload) {
  const refunded = o.refunded_fee ?? 0;
  const canShip = o.trade_state === 'SUCCESS' && o.fulfilment === 'UNSHIPPED' && refunded < o.total_fee;
  const canRefund = ctx.role === 'admin' && (o.trade_state === 'SUCCESS' || o.trade_state === 'REFUND') && refunded < o.total_fee;
  const a = o.address;
  const s = o.shipment;

  box.append(
    h(
      'div',
      { class: 'detail-grid' },
      h(
        'section',
        { class: 'panel' },
        h('h2', null, '支付'),
        facts([
          ['支付状态', stateBadge('trade', o.trade_state)],
          ['订单金额', fen(o.total_fee)],
          ['已退款', fen(refunded)],
          ['微信支付单号', o.transaction_id ? h('span', { class: 'mono' }, o.transaction_id) : '—'],
          ['下单时间', dateTime(o.created_at)],
          ['支付时间', dateTime(o.paid_at)],
        ]),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, '买家与收货地址'),
        facts([
          ['买家', `${o.user?.username ?? '—'}（ID ${o.user?.id ?? '—'}）`],
          ['买家手机', o.user?.mobile],
          ['收货人', a ? `${a.name} ${a.mobile}` : h('span', { class: 'warn' }, '买家尚未填写收货地址')],
          a && ['地址', addressLine(a)],
        ]),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, '发货'),
        facts([
          ['发货状态', stateBadge('fulfil', o.fulfilment)],
          s && ['快递公司', s.carrier],
          s && ['运单号', h('span', { class: 'mono' }, s.trackingNo)],
          s && ['发货时间', dateTime(s.shippedAt)],
          o.receivedAt && ['收货时间', dateTime(o.receivedAt)],
        ]),
        canShip && (a ? shipForm(ctx, o, box, reload) : h('p', { class: 'warn' }, '没有收货地址，暂不能发货。')),
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', null, '商品'),
      table(
        '商品',
        ['商品', '尺码', '颜色', '编码', '单价', '数量', '小计'],
        (o.items ?? []).map((i) =>
          h(
            'tr',
            { 'data-sku': i.skuId ?? null },
            h('td', null, `${i.name}（ID ${i.productId}）`),
            h('td', { class: 'line-size' }, i.size ?? '—'),
            h('td', null, i.colour ?? '—'),
            h('td', { class: 'mono' }, i.code ?? '—'),
            h('td', { class: 'num' }, fen(i.unit_fee)),
            h('td', { class: 'num' }, i.quantity),
            h('td', { class: 'num' }, fen(i.unit_fee * i.quantity)),
          ),
        ),
      ),
      h('p', null, h('a', { class: 'btn small', href: `#/orders/${encodeURIComponent(o.out_trade_no)}/packing` }, '装箱单')),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', null, '退款'),
      (o.refunds ?? []).length
        ? table(
            '退款记录',
            ['退款单号', '金额', '状态', '原因', '时间'],
            o.refunds.map((r) => h('tr', null, h('td', { class: 'mono' }, r.out_refund_no), h('td', { class: 'num' }, fen(r.refund_fee)), h('td', null, r.state), h('td', null, r.reason || '—'), h('td', null, dateTime(r.created_at)))),
          )
        : h('p', { class: 'muted' }, '没有退款'),
      canRefund && refundForm(ctx, o, reload),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', null, '事件'),
      (o.events ?? []).length
        ? table('订单事件', ['时间', '事件', '详情'], o.events.map((e) => h('tr', null, h('td', null, dateTime(e.at)), h('td', null, e.kind), h('td', null, show(e.detail)))))
        : h('p', { class: 'muted' }, '没有事件'),
    ),
  );
}

/** "42 码" or "42 码 · 黑色". */
function sizeText(i) {
  return i.colour ? `${i.size} 码 · ${i.colour}` : `${i.size} 码`;
}

/** The packing slip: where it goes and, per line, the code, size and pairs to pick. */
export async function orderPacking(ctx) {
  const no = ctx.params.no;
  ctx.setTitle(`装箱单 ${no}`);
  const box = h('div', { class: 'packing' });
  ctx.main.append(
    h('p', { class: 'no-print' }, h('a', { href: `#/orders/${encodeURIComponent(no)}` }, '← 返回订单')),
    h('h1', null, '装箱单 ', h('span', { class: 'mono' }, no)),
    box,
  );
  await load(
    box,
    () => ctx.api.get(`/admin/orders/${encodeURIComponent(no)}`, { auth: true }),
    ({ order: o }) => {
      const a = o.address;
      const items = o.items ?? [];
      const pairs = items.reduce((n, i) => n + i.quantity, 0);
      box.append(
        facts([
          ['收货人', a ? `${a.name} ${a.mobile}` : h('span', { class: 'warn' }, '买家尚未填写收货地址')],
          a && ['地址', addressLine(a)],
          ['下单时间', dateTime(o.created_at)],
          ['发货状态', stateBadge('fulfil', o.fulfilment)],
        ]),
        h(
          'ol',
          { class: 'pick-list', 'aria-label': '拣货清单' },
          items.map((i) =>
            h(
              'li',
              { class: 'pick-line', 'data-sku': i.skuId ?? null },
              h('label', { class: 'check' }, h('input', { type: 'checkbox', 'aria-label': `已拣 ${i.name} ${i.size ?? ''}` }), ' 已拣'),
              h('span', { class: 'pick-code mono' }, i.code ?? '无编码'),
              h('span', { class: 'pick-name' }, i.name),
              h('span', { class: 'pick-size line-size' }, i.size ? sizeText(i) : '尺码未记录'),
              h('strong', { class: 'pick-qty' }, `× ${i.quantity}`),
            ),
          ),
        ),
        h('p', null, `共 ${items.length} 种，${pairs} 双`),
        h('p', { class: 'no-print' }, h('button', { type: 'button', class: 'btn', onClick: () => window.print() }, '打印')),
      );
    },
    { alive: ctx.alive },
  );
}

function shipForm(ctx, o, box, reload) {
  const status = formStatus();
  const listId = 'carriers';
  const form = h(
    'form',
    { class: 'ship-form', novalidate: true },
    h('h3', null, '填写发货信息'),
    field('快递公司', h('input', { name: 'carrier', list: listId, required: true, maxlength: 40, autocomplete: 'off' })),
    h('datalist', { id: listId }, CARRIERS.map((c) => h('option', { value: c }))),
    field('运单号', h('input', { name: 'trackingNo', required: true, maxlength: 64, autocomplete: 'off', spellcheck: 'false' })),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, '确认发货'),
  );
  onSubmit(
    form,
    status,
    async () => {
      const carrier = form.elements.carrier.value.trim();
      const trackingNo = form.elements.trackingNo.value.trim();
      if (!carrier) throw new Error('请填写快递公司');
      if (!trackingNo) throw new Error('请填写运单号');
      await ctx.api.post(`/admin/orders/${encodeURIComponent(o.out_trade_no)}/ship`, { carrier, trackingNo }, { auth: true });
      ctx.toast('已发货');
      await reload();
    },
    { busyText: '提交中…' },
  );
  return form;
}

function refundForm(ctx, o, reload) {
  const left = o.total_fee - (o.refunded_fee ?? 0);
  const status = formStatus();
  const submit = h('button', { type: 'submit', class: 'btn danger' }, '退款');
  const form = h(
    'form',
    { class: 'refund-form', novalidate: true },
    h('h3', null, '发起退款'),
    field('退款金额（元）', h('input', { name: 'amount', inputmode: 'decimal', value: fenToYuanText(left), required: true }), `最多可退 ${fen(left)}`),
    field('原因', h('input', { name: 'reason', required: true, maxlength: 80 })),
    status.el,
    submit,
  );
  let armed = false;
  onSubmit(form, status, async () => {
    const refundFee = yuanToFen(form.elements.amount.value);
    const reason = form.elements.reason.value.trim();
    if (refundFee == null || refundFee <= 0) throw new Error('请填写正确的退款金额（最多两位小数）');
    if (refundFee > left) throw new Error(`退款金额不能超过 ${fen(left)}`);
    if (!reason) throw new Error('请填写退款原因');
    if (!armed) {
      // A second press confirms: money leaves the shop.
      armed = true;
      submit.textContent = `确认退款 ${fen(refundFee)}`;
      return `将退款 ${fen(refundFee)}，再次点击按钮确认。`;
    }
    armed = false;
    submit.textContent = '退款';
    const body = { out_trade_no: o.out_trade_no, refund_fee: refundFee, reason };
    const { data } = await ctx.api.post('/admin/refund', body, { auth: true });
    ctx.toast(`退款已提交：${fen(data.refund_fee)}，状态 ${data.refund_state}`);
    await reload();
    return undefined;
  });
  form.addEventListener('input', () => {
    armed = false;
    submit.textContent = '退款';
  });
  return form;
}
