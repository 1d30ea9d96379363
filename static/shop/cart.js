// The cart: the device's before sign-in, the server's after (store.js).
// Each line is a size (SKU); a line that cannot be ordered now (the size is
// sold out, no longer sold, or short of the quantity) is greyed and kept,
// never dropped: the buyer lowers the quantity or removes it.

import { h, replace, errorBox, loading } from '/common/dom.js';
import { yuan, fen } from '/common/format.js';
import { link } from '/common/router.js';
import { sizeText } from '/shop/ui.js';

export default async function cartScreen(ctx) {
  ctx.setTitle('购物车');
  const box = h('div', { class: 'cart' });
  const note = h('p', { class: 'muted', role: 'status' });
  ctx.main.append(box, note);
  if (ctx.cart.lines.length) draw(ctx, box, note);
  else replace(box, loading());

  const refresh = async () => {
    try {
      const failed = await ctx.cart.load();
      if (!ctx.alive()) return;
      note.textContent = failed ? '部分商品信息未能更新，价格以下单时为准。' : ctx.cart.takeMergeNotice() ?? '';
      draw(ctx, box, note);
    } catch (err) {
      if (!ctx.alive() || err.redirected) return;
      replace(box, errorBox(err, refresh));
    }
  };
  await refresh();
}

function draw(ctx, box, note) {
  const lines = ctx.cart.lines;
  if (lines.length === 0) {
    replace(box, h('section', { class: 'empty' }, h('p', null, '购物车是空的。'), h('a', { class: 'btn primary', href: '#/category' }, '去逛逛')));
    return;
  }
  const buyable = lines.filter((l) => l.available);
  const redraw = () => draw(ctx, box, note);
  const change = async (control, work) => {
    control.disabled = true;
    try {
      await work();
      note.textContent = '';
    } catch (err) {
      if (err.redirected) return;
      note.textContent = err.message;
    }
    if (ctx.alive()) redraw();
  };
  replace(
    box,
    h(
      'ul',
      { class: 'cart-lines' },
      lines.map((l) => {
        const gone = !(l.stock > 0);
        const short = !l.available && !gone;
        const size = sizeText(l);
        const label = `${l.name}${size ? ` ${size}` : ''}`;
        const qty = h('input', {
          type: 'number',
          min: 1,
          max: 99,
          value: l.quantity,
          inputmode: 'numeric',
          'aria-label': `${label} 数量`,
          disabled: gone,
          onChange: (e) => {
            const n = Math.min(99, Math.max(1, Math.floor(Number(e.target.value)) || 1));
            change(e.target, () => ctx.cart.setQuantity(l, n));
          },
        });
        return h(
          'li',
          { class: `cart-line${l.available ? '' : ' unavailable'}`, 'data-sku': l.skuId ?? null },
          h('img', { src: l.img, alt: '', width: 80, height: 80 }),
          h(
            'div',
            { class: 'cart-line-info' },
            h('a', { href: `#/product/${l.productId}` }, l.name),
            l.size && h('span', { class: 'muted line-size' }, `尺码 ${l.size}${l.colour ? ` · ${l.colour}` : ''}`),
            h('span', { class: 'price' }, yuan(l.price)),
            gone && h('span', { class: 'tag' }, '缺货/已下架，结算时不包含'),
            short && h('span', { class: 'tag' }, `库存仅剩 ${l.stock} 件，请减少数量`),
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
                onClick: (e) => change(e.currentTarget, () => ctx.cart.remove(l)),
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
      h('p', null, '合计 ', h('strong', { class: 'price', 'data-cart-total': true }, fen(ctx.cart.totalFee))),
      buyable.length
        ? h('a', { class: 'btn primary', href: ctx.session.loggedIn ? '#/checkout' : link('/login', { back: '/checkout' }) }, '去结算')
        : h('button', { type: 'button', class: 'btn', disabled: true }, '去结算'),
    ),
  );
}
