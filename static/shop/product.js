// A product page (/products/{id}): price and struck old price, the sizes
// (its SKUs: a sold-out size is shown but cannot be chosen; a size with its
// own price shows it), stock and quantity of the chosen size, add to cart.
// A product with no size in stock is sold out: nothing can be added.

import { h, load, formStatus } from '/common/dom.js';
import { yuan } from '/common/format.js';

export default async function product(ctx) {
  ctx.setTitle('商品详情');
  const box = h('div', { class: 'product-page' });
  ctx.main.append(box);
  await load(box, () => ctx.api.get(`/products/${encodeURIComponent(ctx.params.id)}`), ({ product: p }) => render(ctx, box, p), {
    alive: ctx.alive,
  });
}

const priceOf = (p, sku) => Number(sku?.price ?? p.price);

function render(ctx, box, p) {
  document.title = `${p.name} · 乐淘`;
  const skus = p.skus ?? [];
  const inStock = (s) => s.stock > 0;
  const soldOut = !(p.stock > 0) || (skus.length > 0 && !skus.some(inStock));
  const status = formStatus();
  // One size only (均码 and the like): nothing to choose.
  let chosen = skus.length === 1 && inStock(skus[0]) ? skus[0] : null;
  const maxOf = () => Math.max(1, Math.min(99, chosen ? chosen.stock : p.stock));
  const qty = h('input', { type: 'number', name: 'quantity', id: 'qty', min: 1, max: maxOf(), value: 1, inputmode: 'numeric', disabled: soldOut });
  const step = (d) => () => {
    qty.value = String(Math.min(maxOf(), Math.max(1, (Number(qty.value) || 1) + d)));
  };
  const stockText = h('span', { class: 'stock', 'aria-live': 'polite' });
  const priceText = h('span', { class: 'price big' });
  const showChoice = () => {
    priceText.textContent = yuan(priceOf(p, chosen));
    if (soldOut) stockText.textContent = '库存 0 件';
    else stockText.textContent = chosen ? `${chosen.size} 码库存 ${chosen.stock} 件` : `库存 ${p.stock} 件`;
    qty.max = String(maxOf());
    if (Number(qty.value) > maxOf()) qty.value = String(maxOf());
  };

  const sizeChoice = (s) => {
    const own = s.price != null && priceOf(p, s) !== Number(p.price);
    return h(
      'label',
      { class: `size${inStock(s) ? '' : ' size-out'}` },
      h('input', { type: 'radio', name: 'sku', value: s.id, checked: s === chosen, disabled: soldOut || !inStock(s) }),
      h(
        'span',
        null,
        s.size,
        s.colour && h('small', null, ` ${s.colour}`),
        own && h('small', { class: 'size-price' }, ` ${yuan(s.price)}`),
        !inStock(s) && h('small', { class: 'size-out-text' }, ' 缺货'),
      ),
    );
  };

  const form = h(
    'form',
    { class: 'buy-form', novalidate: true },
    skus.length > 0 && h('fieldset', { class: 'sizes' }, h('legend', null, '尺码'), skus.map(sizeChoice)),
    h(
      'div',
      { class: 'qty-row' },
      h('label', { for: 'qty' }, '数量'),
      h(
        'div',
        { class: 'stepper' },
        h('button', { type: 'button', class: 'btn small', 'aria-label': '减少数量', onClick: step(-1), disabled: soldOut }, '−'),
        qty,
        h('button', { type: 'button', class: 'btn small', 'aria-label': '增加数量', onClick: step(1), disabled: soldOut }, '+'),
      ),
      stockText,
    ),
    status.el,
    soldOut
      ? h('button', { type: 'submit', class: 'btn block', disabled: true }, '已售罄')
      : h('button', { type: 'submit', class: 'btn primary block' }, '加入购物车'),
  );
  form.addEventListener('change', (event) => {
    if (event.target.name !== 'sku') return;
    chosen = skus.find((s) => String(s.id) === event.target.value) ?? null;
    status.clear();
    showChoice();
  });

  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (soldOut || busy) return;
    if (!chosen || !inStock(chosen)) {
      status.error(skus.length ? '请选择尺码' : '该商品暂不可购买');
      form.querySelector('input[name=sku]:not(:disabled)')?.focus();
      return;
    }
    const n = Number(qty.value);
    if (!Number.isInteger(n) || n < 1 || n > maxOf()) {
      status.error(`数量应为 1 到 ${maxOf()}`);
      qty.focus();
      return;
    }
    busy = true;
    let added;
    try {
      added = await ctx.cart.add(p, chosen, n);
    } catch (err) {
      if (!err.redirected && ctx.alive()) status.error(err);
      return;
    } finally {
      busy = false;
    }
    if (!ctx.alive()) return;
    if (added === 0) {
      status.error(`购物车里的 ${chosen.size} 码已达到可购买的上限（${Math.min(99, chosen.stock)} 件）`);
      return;
    }
    status.clear();
    status.el.append('已加入购物车 ', h('a', { href: '#/cart' }, '去购物车结算'));
    ctx.toast('已加入购物车');
  });

  showChoice();
  box.append(
    h('img', { class: 'product-img', src: p.img, alt: p.name, width: 600, height: 600 }),
    h(
      'section',
      { class: 'product-info' },
      h('h2', { class: 'product-name' }, p.name),
      h(
        'p',
        { class: 'product-price' },
        priceText,
        ' ',
        p.oldPrice > p.price && h('s', { class: 'old-price' }, h('span', { class: 'sr-only' }, '原价'), yuan(p.oldPrice)),
        soldOut && h('span', { class: 'tag sold-out' }, '已售罄'),
      ),
      form,
    ),
  );
}
