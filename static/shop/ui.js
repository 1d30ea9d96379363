// Pieces several storefront screens share.

import { h } from '/common/dom.js';
import { yuan } from '/common/format.js';

/** A product tile linking to its page. */
export function productCard(p) {
  const soldOut = p.stock === 0;
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: `#/product/${p.id}`, class: 'card-link' },
      h('img', { src: p.img, alt: '', loading: 'lazy', width: 300, height: 300 }),
      h('span', { class: 'card-name' }, p.name),
      h(
        'span',
        { class: 'card-price' },
        h('span', { class: 'price' }, yuan(p.price)),
        ' ',
        p.oldPrice > p.price && h('s', { class: 'old-price' }, h('span', { class: 'sr-only' }, '原价'), yuan(p.oldPrice)),
        soldOut && h('span', { class: 'tag' }, '已售罄'),
      ),
    ),
  );
}

/** A "need to log in" panel with a link that comes back here. */
export function loginPrompt(text, back) {
  return h(
    'section',
    { class: 'empty' },
    h('p', null, text),
    h('a', { class: 'btn primary', href: `#/login?back=${encodeURIComponent(back)}` }, '登录'),
    ' ',
    h('a', { class: 'btn', href: `#/register?back=${encodeURIComponent(back)}` }, '注册'),
  );
}

/** Text input with the attributes mobile keyboards and password managers want. */
export function input(name, props = {}) {
  return h('input', { name, id: `f-${name}`, ...props });
}
