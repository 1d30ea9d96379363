// My addresses (GET /addresses): make default, edit, delete.

import { h, load, replace, errorBox } from '/common/dom.js';
import { addressLine } from '/common/format.js';
import { loginPrompt } from '/shop/ui.js';

/** Body of POST/PUT /addresses from an address object. */
export function addressBody(a, isDefault = a.isDefault) {
  const { name, mobile, province, city, district, detail } = a;
  return { name, mobile, province, city, district, detail, isDefault: Boolean(isDefault) };
}

export function addressSummary(a) {
  return [
    h('span', { class: 'addr-who' }, `${a.name} ${a.mobile}`),
    a.isDefault && h('span', { class: 'tag' }, '默认'),
    h('span', { class: 'addr-line' }, addressLine(a)),
  ];
}

export default async function addresses(ctx) {
  ctx.setTitle('收货地址');
  if (!ctx.session.loggedIn) {
    ctx.main.append(loginPrompt('登录后管理收货地址。', '/addresses'));
    return;
  }
  const box = h('div');
  ctx.main.append(box, h('a', { class: 'btn primary block', href: '#/addresses/new' }, '新增收货地址'));

  const show = () =>
    load(
      box,
      () => ctx.api.get('/addresses', { auth: true }),
      ({ addresses: list }) => {
        if (!list?.length) {
          box.append(h('p', { class: 'empty' }, '还没有收货地址。'));
          return;
        }
        box.append(h('ul', { class: 'addr-list' }, list.map((a) => item(ctx, a, show))));
      },
      { alive: ctx.alive },
    );
  await show();
}

function item(ctx, a, reload) {
  const actions = h('div', { class: 'row-actions' });
  const li = h('li', { class: 'addr' }, h('div', { class: 'addr-text' }, addressSummary(a)), actions);

  async function act(button, work, done) {
    button.disabled = true;
    li.querySelector('.error')?.remove();
    try {
      await work();
      ctx.toast(done);
      await reload();
    } catch (err) {
      button.disabled = false;
      if (!err.redirected) li.append(errorBox(err));
    }
  }

  const makeDefault =
    !a.isDefault &&
    h('button', {
      type: 'button',
      class: 'btn small',
      onClick: (e) => act(e.currentTarget, () => ctx.api.put(`/addresses/${a.id}`, addressBody(a, true), { auth: true }), '已设为默认地址'),
    }, '设为默认');

  const remove = h('button', { type: 'button', class: 'btn small link danger', 'aria-label': `删除 ${a.name} 的地址` }, '删除');
  remove.addEventListener('click', () => {
    // Ask once more, in the page (no blocking dialog).
    const yes = h('button', { type: 'button', class: 'btn small danger' }, '确定删除');
    const no = h('button', { type: 'button', class: 'btn small' }, '取消');
    const confirmBox = h('div', { class: 'confirm', role: 'group', 'aria-label': '确认删除' }, '删除这个地址？', yes, no);
    replace(actions, confirmBox);
    yes.focus();
    no.addEventListener('click', () => reload());
    yes.addEventListener('click', () => act(yes, () => ctx.api.del(`/addresses/${a.id}`, { auth: true }), '地址已删除'));
  });

  actions.append(makeDefault || '', h('a', { class: 'btn small', href: `#/addresses/${a.id}/edit` }, '编辑'), remove);
  return li;
}
