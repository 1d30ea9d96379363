// The cart (localStorage). Prices and stock are refreshed from the product
// pages on each visit; the server prices the order itself.

import { h, replace } from '/common/dom.js';
import { yuan } from '/common/format.js';
import { link } from '/common/router.js';

export default async function cartScreen(ctx) {
  ctx.setTitle('购物车');
  const box = h('div', { class: 'cart' });
  const note = h('p', { class: 'muted', role: 'status' });
  ctx.main.append(box, note);
  draw(ctx, box);

  // Refresh what we show from the catalogue, quietly: a failure keeps the
  // stored snapshot and says so.
  const ids = [...new Set(ctx.cart.lines.map((l) => l.productId))];
  if (ids.length === 0) return;
  const results = await Promise.allSettled(ids.map((id) => ctx.api.get(`/products/${id}`)));
  if (!ctx.alive()) return;
  let failed = 0;
  for (const r of results) {
    if (r.status === 'fulfilled' && r.value.product) ctx.cart.refresh(r.value.product);
    else failed += 1;
  }
  note.textContent = failed ? '部分商品信息未能更新，价格以下单时为准。' : '';
  draw(ctx, box);
}

function draw(ctx, box) {
  const lines = ctx.cart.lines;
  if (lines.length === 0) {
    replace(box, h('section', { class: 'empty' }, h('p', null, '购物车是空的。'), h('a', { class: 'btn primary', href: '#/category' }, '去逛逛')));
    return;
  }
  const buyable = lines.filter((l) => l.stock > 0);
  const total = buyable.reduce((sum, l) => sum + Math.round(l.price * 100) * l.quantity, 0);
  const redraw = () => draw(ctx, box);
  replace(
    box,
    h(
      'ul',
      { class: 'cart-lines' },
      lines.map((l) => {
        const soldOut = !(l.stock > 0);
        const max = Math.max(1, Math.min(99, l.stock || 1));
        const label = `${l.name}${l.size ? ` ${l.size} 码` : ''}`;
        const qty = h('input', {
          type: 'number',
          min: 1,
          max,
          value: Math.min(l.quantity, max),
          inputmode: 'numeric',
          'aria-label': `${label} 数量`,
          disabled: soldOut,
          onChange: (e) => {
            const n = Math.min(max, Math.max(1, Math.floor(Number(e.target.value)) || 1));
            ctx.cart.setQuantity(l.productId, l.size, n);
            redraw();
          },
        });
        return h(
          'li',
          { class: `cart-line${soldOut ? ' sold-out' : ''}` },
          h('img', { src: l.img, alt: '', width: 80, height: 80 }),
          h(
            'div',
            { class: 'cart-line-info' },
            h('a', { href: `#/product/${l.productId}` }, l.name),
            l.size && h('span', { class: 'muted' }, `尺码 ${l.size}`),
            h('span', { class: 'price' }, yuan(l.price)),
            soldOut && h('span', { class: 'tag' }, '已售罄，结算时不包含'),
            !soldOut && l.quantity > l.stock && h('span', { class: 'tag' }, `库存仅剩 ${l.stock} 件`),
          ),
          h(
            'div',
            { class: 'cart-line-actions' },
            qty,
            h(
              'button',
              {
                type: 'button',
                class: 'btn small link',
                'aria-label': `删除 ${label}`,
                onClick: () => {
                  ctx.cart.remove(l.productId, l.size);
                  redraw();
                },
              },
              '删除',
            ),
          ),
        );
      }),
    ),
    h(
      'div',
      { class: 'cart-summary' },
      h('p', null, '合计 ', h('strong', { class: 'price', 'data-cart-total': true }, yuan(total / 100))),
      buyable.length
        ? h('a', { class: 'btn primary', href: ctx.session.loggedIn ? '#/checkout' : link('/login', { back: '/checkout' }) }, '去结算')
        : h('button', { type: 'button', class: 'btn', disabled: true }, '去结算'),
    ),
  );
}
