// A product page (/products/{id}): price and struck old price, sizes, stock,
// quantity, add to cart. Stock 0 means sold out: nothing can be added.

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

function render(ctx, box, p) {
  document.title = `${p.name} · 乐淘`;
  const soldOut = !(p.stock > 0);
  const sizes = p.sizes ?? [];
  const status = formStatus();
  const max = Math.max(1, Math.min(99, p.stock));
  const qty = h('input', { type: 'number', name: 'quantity', id: 'qty', min: 1, max, value: 1, inputmode: 'numeric', disabled: soldOut });
  const step = (d) => () => {
    qty.value = String(Math.min(max, Math.max(1, (Number(qty.value) || 1) + d)));
  };

  const form = h(
    'form',
    { class: 'buy-form', novalidate: true },
    sizes.length > 0 &&
      h(
        'fieldset',
        { class: 'sizes' },
        h('legend', null, '尺码'),
        sizes.map((s) =>
          h('label', { class: 'size' }, h('input', { type: 'radio', name: 'size', value: s, disabled: soldOut }), h('span', null, s)),
        ),
      ),
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
      h('span', { class: 'stock' }, soldOut ? '库存 0 件' : `库存 ${p.stock} 件`),
    ),
    status.el,
    soldOut
      ? h('button', { type: 'submit', class: 'btn block', disabled: true }, '已售罄')
      : h('button', { type: 'submit', class: 'btn primary block' }, '加入购物车'),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (soldOut) return;
    const size = new FormData(form).get('size') ?? '';
    if (sizes.length > 0 && !size) {
      status.error('请选择尺码');
      form.querySelector('input[name=size]')?.focus();
      return;
    }
    const n = Number(qty.value);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      status.error(`数量应为 1 到 ${max}`);
      qty.focus();
      return;
    }
    ctx.cart.add(p, size, n);
    status.clear();
    status.el.append('已加入购物车 ', h('a', { href: '#/cart' }, '去购物车结算'));
    ctx.toast('已加入购物车');
  });

  box.append(
    h('img', { class: 'product-img', src: p.img, alt: p.name, width: 600, height: 600 }),
    h(
      'section',
      { class: 'product-info' },
      h('h2', { class: 'product-name' }, p.name),
      h(
        'p',
        { class: 'product-price' },
        h('span', { class: 'price big' }, yuan(p.price)),
        ' ',
        p.oldPrice > p.price && h('s', { class: 'old-price' }, h('span', { class: 'sr-only' }, '原价'), yuan(p.oldPrice)),
        soldOut && h('span', { class: 'tag sold-out' }, '已售罄'),
      ),
      form,
    ),
  );
}
