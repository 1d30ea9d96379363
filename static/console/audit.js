// The audit log (admin): GET /admin/audit?pageSize=&after=, newest first.

import { h } from '/common/dom.js';
import { dateTime } from '/common/format.js';
import { pagedList, show } from '/console/widgets.js';

export default async function audit(ctx) {
  ctx.setTitle('操作日志');
  const body = h('tbody');
  const footer = h('div', { class: 'list-footer' });
  ctx.main.append(
    h('h1', null, '操作日志'),
    h('p', { class: 'muted' }, '每一次后台修改（发货、退款、商品与首页调整）都会记录在这里。'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        null,
        h('caption', { class: 'sr-only' }, '操作日志'),
        h('thead', null, h('tr', null, ['时间', '操作人', '操作', '对象', '详情'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      ),
    ),
    footer,
  );
  await pagedList({
    body,
    footer,
    alive: ctx.alive,
    empty: '还没有记录',
    fetchPage: async (after) => {
      const r = await ctx.api.get('/admin/audit', { auth: true, query: { pageSize: 50, after } });
      return { items: r.entries ?? [], next: r.next, total: r.total };
    },
    renderItem: (e) =>
      h(
        'tr',
        null,
        h('td', null, dateTime(e.at)),
        h('td', null, e.actor?.username ?? `#${e.actor?.id ?? '—'}`),
        h('td', null, e.action),
        h('td', { class: 'mono' }, show(e.target)),
        h('td', { class: 'detail' }, show(e.detail)),
      ),
  });
}
