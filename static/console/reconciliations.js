// Daily reconciliation reports (admin): GET /admin/reconciliations?date=.
// A report compares WeChat's bill of a day (Asia/Shanghai) with our orders.

import { h, field, load, replace } from '/common/dom.js';
import { link } from '/common/router.js';
import { table, show } from '/console/widgets.js';

/** Yesterday in Asia/Shanghai (UTC+8, no daylight saving), as YYYY-MM-DD. */
function yesterdayInShanghai() {
  const d = new Date(Date.now() + 8 * 3600 * 1000 - 24 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}

export default async function reconciliations(ctx) {
  ctx.setTitle('对账报告');
  const date = /^\d{4}-\d{2}-\d{2}$/.test(ctx.query.date ?? '') ? ctx.query.date : yesterdayInShanghai();
  const form = h(
    'form',
    { class: 'filters' },
    field('账单日期（北京时间）', h('input', { type: 'date', name: 'date', value: date, required: true })),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'btn primary' }, '查看')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(link('/reconciliations', { date: form.elements.date.value }));
  });
  const box = h('div');
  ctx.main.append(h('h1', null, '对账报告'), form, box);

  await load(
    box,
    async () => {
      try {
        return (await ctx.api.get('/admin/reconciliations', { auth: true, query: { date } })).reconciliation;
      } catch (err) {
        if (err.httpStatus === 404 && err.code === 404) return null;
        throw err;
      }
    },
    (rec) => {
      if (!rec) {
        replace(box, h('p', { class: 'notice' }, `${date} 还没有对账报告。微信账单在次日上午生成，之后对账任务才会运行。`));
        return;
      }
      const diffs = rec.differences ?? [];
      box.append(
        h(
          'section',
          { class: 'panel' },
          h('h2', null, `${rec.date} 对账结果`),
          h(
            'dl',
            { class: 'facts stats' },
            h('dt', null, '已匹配'),
            h('dd', null, rec.matched),
            h('dt', null, '补记（微信有、我们漏记的支付）'),
            h('dd', null, rec.recovered),
            h('dt', null, '差异'),
            h('dd', { class: diffs.length ? 'warn' : '' }, diffs.length),
          ),
          diffs.length
            ? table(
                '差异明细',
                ['类型', '商户订单号', '微信支付单号', '我们的记录', '微信账单'],
                diffs.map((d) => h('tr', null, h('td', null, d.kind), h('td', { class: 'mono' }, show(d.out_trade_no)), h('td', { class: 'mono' }, show(d.transaction_id)), h('td', null, show(d.ours)), h('td', null, show(d.wechat)))),
                { hideCaption: false },
              )
            : h('p', { class: 'ok' }, '全部一致，无需处理。'),
        ),
      );
    },
    { alive: ctx.alive },
  );
}
