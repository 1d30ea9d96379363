// New address (POST /addresses) or edit one (PUT /addresses/{id}).
// ?back=/checkout returns there with the saved address chosen.

import { h, field, formStatus, onSubmit, load } from '/common/dom.js';
import { MOBILE_RE } from '/common/format.js';
import { input, loginPrompt } from '/shop/ui.js';
import { addressBody } from '/shop/addresses.js';

export const PICKED_KEY = 'letao.checkout.address';

const LIMITS = { name: 20, province: 20, city: 20, district: 20, detail: 120 };
const LABELS = { name: '收货人', mobile: '手机号', province: '省份', city: '城市', district: '区/县', detail: '详细地址' };

function check(v) {
  for (const [key, max] of Object.entries(LIMITS)) {
    const n = [...v[key].trim()].length;
    if (n < 1 || n > max) return `${LABELS[key]}应为 1–${max} 个字`;
  }
  if (!MOBILE_RE.test(v.mobile)) return '请输入正确的 11 位手机号';
  return null;
}

export default async function addressForm(ctx) {
  const editing = ctx.params.id != null;
  ctx.setTitle(editing ? '编辑地址' : '新增地址');
  const back = ctx.query.back?.startsWith('/') ? ctx.query.back : '/addresses';
  if (!ctx.session.loggedIn) {
    ctx.main.append(loginPrompt('登录后填写收货地址。', ctx.route.hash.slice(1)));
    return;
  }
  const box = h('div');
  ctx.main.append(box);
  if (!editing) {
    render(ctx, box, null, back);
    return;
  }
  await load(
    box,
    () => ctx.api.get('/addresses', { auth: true }),
    ({ addresses }) => {
      const a = addresses?.find((x) => String(x.id) === ctx.params.id);
      if (a) render(ctx, box, a, back);
      else box.append(h('p', { class: 'error', role: 'alert' }, '找不到这个地址，它可能已被删除。'));
    },
    { alive: ctx.alive },
  );
}

function render(ctx, box, a, back) {
  const status = formStatus();
  const text = (name, props = {}) =>
    field(LABELS[name], input(name, { value: a?.[name] ?? '', required: true, maxlength: LIMITS[name] ?? 11, ...props }));
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    text('name', { autocomplete: 'name' }),
    text('mobile', { type: 'tel', inputmode: 'numeric', autocomplete: 'tel' }),
    h('div', { class: 'three' }, text('province', { autocomplete: 'address-level1' }), text('city', { autocomplete: 'address-level2' }), text('district', { autocomplete: 'address-level3' })),
    text('detail', { autocomplete: 'street-address' }),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'isDefault', checked: Boolean(a?.isDefault) }), ' 设为默认地址'),
    status.el,
    h('button', { type: 'submit', class: 'btn primary block' }, '保存地址'),
  );
  onSubmit(
    form,
    status,
    async () => {
      const v = Object.fromEntries(Object.keys(LABELS).map((k) => [k, form.elements[k].value.trim()]));
      v.isDefault = form.elements.isDefault.checked;
      const problem = check(v);
      if (problem) throw new Error(problem);
      const reply = a
        ? await ctx.api.put(`/addresses/${a.id}`, addressBody(v), { auth: true })
        : await ctx.api.post('/addresses', addressBody(v), { auth: true });
      if (back.startsWith('/checkout') && reply.address?.id != null) sessionStorage.setItem(PICKED_KEY, String(reply.address.id));
      ctx.toast('地址已保存');
      ctx.navigate(`#${back}`, { replace: true });
    },
    { busyText: '保存中…' },
  );
  box.append(form);
}
