// Stock per size (docs/stock.md): a product's size grid (GET
// /admin/products/{id}, PUT /admin/products/{id}/skus), stock changed by a
// signed delta with a reason (POST /admin/skus/{id}/stock), and the
// low-stock list (GET /admin/stock/low).
//
// The grid never sends a number it read as the new stock of an existing
// size: an order may have taken a pair since the page was drawn, so an
// existing size's stock changes only by a delta, applied by the server to
// the stock as it is then. Stock typed into the grid is for new sizes, and
// for every size while the product's sizes still share one pool (saving
// then ends the pool, as the notice says).

import { h, replace, load, formStatus, errorBox, loading } from '/common/dom.js';
import { exportLink } from '/console/widgets.js';

const PRICE_RE = /^\d{1,7}(\.\d{1,2})?$/;
const MAX_STOCK = 1_000_000;

let rowCount = 0;

/** A labelled input inside a grid cell; the label names the row's size for screen readers. */
function cell(label, input, rowName) {
  const id = `sku-${++rowCount}`;
  input.id = id;
  input.setAttribute('aria-label', `${rowName} ${label}`);
  return h('div', { class: 'sku-cell' }, h('label', { for: id, class: 'sku-cell-label', 'aria-hidden': 'true' }, label), input);
}

/**
 * "增减 [  ] 原因 [      ] [调整库存]" for one SKU: POST /admin/skus/{id}/stock,
 * then `done(product)` with the reply's product.
 */
export function deltaControls(ctx, sku, rowName, done) {
  const status = formStatus();
  const delta = h('input', { type: 'number', step: 1, name: 'delta', inputmode: 'numeric', placeholder: '+10 或 -2', class: 'delta' });
  const reason = h('input', { name: 'reason', maxlength: 200, placeholder: '到货、盘点、破损…', class: 'reason' });
  const go = h('button', { type: 'button', class: 'btn small' }, '调整库存');
  go.addEventListener('click', async () => {
    const n = Number(delta.value);
    const why = reason.value.trim();
    status.clear();
    if (!Number.isInteger(n) || n === 0 || Math.abs(n) > MAX_STOCK) return status.error('增减应为非 0 整数，如 10 或 -2');
    if (sku.stock + n < 0) return status.error(`库存不能少于 0（当前 ${sku.stock} 件）`);
    if (!why) return status.error('请填写调整原因');
    go.disabled = true;
    try {
      const { product } = await ctx.api.post(`/admin/skus/${sku.id}/stock`, { delta: n, reason: why }, { auth: true });
      ctx.toast(`${rowName} 库存已${n > 0 ? '增加' : '减少'} ${Math.abs(n)} 件`);
      delta.value = '';
      reason.value = '';
      go.disabled = false;
      done(product);
    } catch (err) {
      go.disabled = false;
      if (!err.redirected) status.error(err);
    }
    return undefined;
  });
  return h(
    'div',
    { class: 'sku-delta' },
    cell('增减', delta, rowName),
    cell('原因', reason, rowName),
    h('div', { class: 'sku-cell sku-go' }, go),
    status.el,
  );
}

/**
 * The size grid of product `id`: loads the product with every SKU and lets
 * the owner add, rename, price, code, (de)activate and remove sizes, and
 * change a size's stock by a delta. `onChange(product)` runs after each save.
 */
export function sizeGrid(ctx, id, onChange = () => {}) {
  const box = h('section', { class: 'panel size-grid', 'aria-label': '尺码与库存' });
  const reload = () => load(box, () => ctx.api.get(`/admin/products/${id}`, { auth: true }), ({ product }) => draw(product), { alive: ctx.alive });

  function draw(product) {
    onChange(product);
    const pooled = Boolean(product.pooled);
    const rows = h('ol', { class: 'sku-rows' });
    const status = formStatus();
    const addRow = (sku) => rows.append(skuRow(sku));

    function skuRow(sku) {
      const isNew = !sku;
      const s = sku ?? { size: '', colour: null, code: '', price: null, stock: 0, active: true };
      const rowName = isNew ? '新尺码' : `${s.size}${s.colour ? ` ${s.colour}` : ''} 码`;
      const li = h('li', { class: `sku-row${s.active ? '' : ' inactive'}`, 'data-sku': s.id ?? null, 'data-size': s.size || null });
      const size = h('input', { name: 'size', value: s.size, maxlength: 32, required: true, class: 'size' });
      const colour = h('input', { name: 'colour', value: s.colour ?? '', maxlength: 32, placeholder: '单色可不填' });
      const code = h('input', { name: 'code', value: s.code ?? '', maxlength: 64, placeholder: isNew ? '留空自动生成' : '', class: 'code' });
      const price = h('input', { name: 'price', value: s.price ?? '', inputmode: 'decimal', placeholder: `${Number(product.price).toFixed(2)}` });
      const active = h('input', { type: 'checkbox', name: 'active', checked: s.active });
      // Typed stock applies to a new size, or to every size of a pooled product.
      const typed = isNew || pooled;
      const stock = typed
        ? h('input', { type: 'number', name: 'stock', min: 0, max: MAX_STOCK, step: 1, inputmode: 'numeric', value: isNew ? 0 : null, placeholder: isNew ? null : '本尺码库存' })
        : null;
      const remove = h('button', { type: 'button', class: 'btn small danger', 'aria-label': `移除 ${rowName}` }, '移除');
      remove.addEventListener('click', () => li.remove());
      li.skuRow = { id: s.id ?? null, size, colour, code, price, active, stock, current: s.stock };
      li.append(
        h(
          'div',
          { class: 'sku-fields' },
          cell('尺码', size, rowName),
          cell('颜色', colour, rowName),
          cell('编码', code, rowName),
          cell('单价（元）', price, rowName),
          typed
            ? cell(isNew ? '库存' : '各尺码库存', stock, rowName)
            : h('div', { class: 'sku-cell' }, h('span', { class: 'sku-cell-label' }, '库存'), h('strong', { class: `sku-stock${s.stock === 0 ? ' warn' : ''}`, 'data-stock': s.stock }, `${s.stock} 件`)),
          h('label', { class: 'check sku-active' }, active, ' 在售'),
          h('div', { class: 'sku-cell sku-go' }, remove),
        ),
        // A delta on a pooled product ends the pool for that size only: the
        // owner says what each size has with the grid's stock instead.
        !isNew && !pooled && deltaControls(ctx, s, rowName, draw),
      );
      return li;
    }

    const add = h('button', { type: 'button', class: 'btn small' }, '添加尺码');
    add.addEventListener('click', () => {
      addRow(null);
      rows.lastChild.querySelector('input')?.focus();
    });
    const save = h('button', { type: 'button', class: 'btn primary' }, '保存尺码表');
    save.addEventListener('click', async () => {
      status.clear();
      let body;
      try {
        body = { skus: [...rows.children].map(readRow) };
        if (body.skus.length === 0) throw new Error('至少保留一个尺码');
      } catch (err) {
        status.error(err);
        return;
      }
      save.disabled = true;
      try {
        const { product: saved } = await ctx.api.put(`/admin/products/${id}/skus`, body, { auth: true });
        ctx.toast('尺码表已保存');
        draw(saved);
      } catch (err) {
        save.disabled = false;
        if (!err.redirected) status.error(err);
      }
    });

    replace(
      box,
      h('h3', null, '尺码与库存'),
      pooled
        ? h(
            'p',
            { class: 'notice pool-notice' },
            `各尺码目前共享库存 ${product.stock} 件。保存尺码表时请填写每个尺码的库存：保存后每个尺码的库存即为所填的数，共享库存随之结束。`,
          )
        : h('p', { class: 'muted' }, '已有尺码的库存只能按增减调整（需填写原因），不会覆盖期间下单占用的库存；新尺码按填写的库存上架。'),
      rows,
      h('div', { class: 'row-actions' }, add, save),
      status.el,
    );
    for (const sku of product.skus ?? []) addRow(sku);
  }

  reload();
  return box;
}

/** One grid row to a `PUT .../skus` entry; throws an Error naming the row. */
function readRow(li) {
  const r = li.skuRow;
  const size = r.size.value.trim();
  if (!size || size.includes(',')) throw new Error('尺码不能为空，也不能含逗号');
  const out = { size, active: r.active.checked };
  if (r.id != null) out.id = r.id;
  const colour = r.colour.value.trim();
  if (colour) out.colour = colour;
  const code = r.code.value.trim();
  if (code) out.code = code;
  const price = r.price.value.trim();
  if (price) {
    if (!PRICE_RE.test(price) || Number(price) <= 0) throw new Error(`${size} 码的单价应为大于 0 的数字，最多两位小数`);
    out.price = price;
  }
  if (r.stock) {
    // The pool's number is never copied to each size: that would invent stock.
    if (r.stock.value.trim() === '') throw new Error(`请填写 ${size} 码的库存`);
    const n = Number(r.stock.value);
    if (!Number.isInteger(n) || n < 0 || n > MAX_STOCK) throw new Error(`${size} 码的库存应为 0 到 ${MAX_STOCK} 的整数`);
    out.stock = n;
  } else {
    // Ignored by the server for an existing size of a product sold per size.
    out.stock = r.current;
  }
  return out;
}

/** The low-stock list: active sizes of products on sale with at most N pairs, each with its delta. */
export default async function lowStock(ctx) {
  ctx.setTitle('库存预警');
  const asked = Number(ctx.query.threshold);
  const threshold = (ctx.query.threshold ?? '') !== '' && Number.isInteger(asked) && asked >= 0 ? asked : 5;
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    h(
      'div',
      { class: 'field' },
      h('label', { class: 'field-label', for: 'threshold' }, '库存不多于（件）'),
      h('input', { id: 'threshold', name: 'threshold', type: 'number', min: 0, max: MAX_STOCK, step: 1, value: threshold }),
    ),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'btn primary' }, '查看')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(`#/stock?threshold=${encodeURIComponent(form.elements.threshold.value || '0')}`);
  });
  const list = h('ol', { class: 'low-list' });
  const footer = h('div', { class: 'list-footer' });
  ctx.main.append(
    h('h1', null, '库存预警'),
    form,
    // Every size of every product with its stock, for Excel.
    exportLink(ctx, '导出全部库存（CSV）', '/admin/products.csv', {}, 'products.csv'),
    list,
    footer,
  );

  let after = null;
  async function more() {
    replace(footer, loading());
    try {
      const r = await ctx.api.get('/admin/stock/low', { auth: true, query: { threshold, pageSize: 50, after } });
      if (!ctx.alive()) return;
      for (const s of r.skus ?? []) list.append(lowRow(ctx, s));
      after = r.next ?? null;
      replace(footer);
      if (list.children.length === 0) footer.append(h('p', { class: 'muted' }, `没有库存不多于 ${threshold} 件的尺码`));
      else if (after) footer.append(h('button', { type: 'button', class: 'btn small', onClick: more }, '加载更多'));
    } catch (err) {
      if (ctx.alive() && !err.redirected) replace(footer, errorBox(err, more));
    }
  }
  await more();
}

function lowRow(ctx, s) {
  const rowName = `${s.name} ${s.size}${s.colour ? ` ${s.colour}` : ''} 码`;
  const li = h('li', { class: 'low-row panel', 'data-sku': s.skuId });
  const stock = h('strong', { class: `sku-stock${s.stock === 0 ? ' warn' : ''}` }, `${s.stock} 件`);
  const sku = { id: s.skuId, stock: s.stock };
  li.append(
    h(
      'p',
      { class: 'low-head' },
      h('span', null, s.name, ' '),
      h('span', { class: 'line-size' }, `${s.size} 码${s.colour ? ` · ${s.colour}` : ''}`),
      ' ',
      h('span', { class: 'mono' }, s.code),
      ' · 库存 ',
      stock,
    ),
    deltaControls(ctx, sku, rowName, (product) => {
      const now = product?.skus?.find((k) => k.id === s.skuId)?.stock;
      if (!Number.isInteger(now)) return;
      sku.stock = now;
      stock.textContent = `${now} 件`;
      stock.classList.toggle('warn', now === 0);
    }),
  );
  return li;
}
