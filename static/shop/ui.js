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

/**
 * A button that asks once more in place ("确定取消订单？ 确定 / 不了")
 * before `action(yesButton)` runs; no blocking dialog.
 */
export function askFirst(label, question, action, { yesText = '确定', noText = '不了', className = 'btn small' } = {}) {
  const box = h('span', { class: 'confirm' });
  const first = h('button', { type: 'button', class: className }, label);
  first.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'btn small primary' }, yesText);
    const no = h('button', { type: 'button', class: 'btn small' }, noText);
    box.replaceChildren(h('span', null, question), yes, no);
    yes.focus();
    no.addEventListener('click', () => {
      box.replaceChildren(first);
      first.focus();
    });
    yes.addEventListener('click', () => action(yes));
  });
  box.append(first);
  return box;
}

/** "42 码" or "42 码 · 黑色" for a line's size and colour ('' for a line without a size). */
export function sizeText(line) {
  if (!line?.size) return '';
  return line.colour ? `${line.size} 码 · ${line.colour}` : `${line.size} 码`;
}

/** A line's name with its size: "Nike Air（42 码）". */
export function lineName(line) {
  const size = sizeText(line);
  return size ? `${line.name}（${size}）` : line.name;
}
