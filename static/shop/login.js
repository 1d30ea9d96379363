// Log in by password (POST /login {username, password}) or by SMS code
// (POST /sms {purpose:"login"}, then POST /login {mobile, smscode}); then go
// back to where the user was (?back=/path). The device's cart is merged into
// the buyer's cart on the server (POST /cart/merge) on the way.

import { h, field, formStatus, onSubmit } from '/common/dom.js';
import { MOBILE_RE } from '/common/format.js';
import { link } from '/common/router.js';
import { smsButton } from '/shop/sms.js';
import { input } from '/shop/ui.js';

export function backTarget(query) {
  const back = query.back ?? '';
  // A route of this page (it becomes '#' + back, so it cannot leave the page).
  return back.startsWith('/') && !back.startsWith('/login') ? back : '/me';
}

/** Signs in, moves the device's cart into the buyer's cart on the server, goes back. */
export async function finishLogin(ctx, reply) {
  ctx.session.signIn(reply.token, reply.userInfo);
  let notice = null;
  try {
    await ctx.cart.load();
    notice = ctx.cart.takeMergeNotice();
  } catch (err) {
    // The device's lines stay on the device; the next load of the cart merges them.
    if (!err.redirected) notice = '购物车暂未同步，稍后打开购物车时会再试。';
  }
  ctx.toast(notice ?? `欢迎，${reply.userInfo?.username ?? ''}`);
  ctx.navigate(`#${backTarget(ctx.query)}`, { replace: true });
}

export default function login(ctx) {
  ctx.setTitle('登录');
  const mode = ctx.query.mode === 'sms' ? 'sms' : 'password';
  const status = formStatus();
  const tabs = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': '登录方式' },
    h('a', { href: link('/login', { ...ctx.query, mode: 'password' }), 'aria-current': mode === 'password' ? 'true' : null }, '密码登录'),
    h('a', { href: link('/login', { ...ctx.query, mode: 'sms' }), 'aria-current': mode === 'sms' ? 'true' : null }, '验证码登录'),
  );

  let form;
  if (mode === 'password') {
    form = h(
      'form',
      { class: 'form', novalidate: true },
      field('用户名', input('username', { autocomplete: 'username', required: true, maxlength: 20 })),
      field('密码', input('password', { type: 'password', autocomplete: 'current-password', required: true, maxlength: 64 })),
      status.el,
      h('button', { type: 'submit', class: 'btn primary block' }, '登录'),
    );
    onSubmit(
      form,
      status,
      async () => {
        const username = form.elements.username.value;
        const password = form.elements.password.value;
        if (!username.trim() || !password) throw new Error('请输入用户名和密码');
        const reply = await ctx.api.post('/login', { username, password });
        await finishLogin(ctx, reply);
      },
      { busyText: '登录中…' },
    );
  } else {
    const mobile = input('mobile', { type: 'tel', inputmode: 'numeric', autocomplete: 'tel', required: true, maxlength: 11 });
    form = h(
      'form',
      { class: 'form', novalidate: true },
      field('手机号', mobile),
      h(
        'div',
        { class: 'inline-field' },
        field('验证码', input('smscode', { inputmode: 'numeric', autocomplete: 'one-time-code', required: true, maxlength: 6 })),
        smsButton(ctx, mobile, 'login', status),
      ),
      status.el,
      h('button', { type: 'submit', class: 'btn primary block' }, '登录'),
    );
    onSubmit(
      form,
      status,
      async () => {
        const m = mobile.value.trim();
        const smscode = form.elements.smscode.value.trim();
        if (!MOBILE_RE.test(m)) throw new Error('请输入正确的 11 位手机号');
        if (!/^\d{6}$/.test(smscode)) throw new Error('请输入 6 位验证码');
        const reply = await ctx.api.post('/login', { mobile: m, smscode });
        await finishLogin(ctx, reply);
      },
      { busyText: '登录中…' },
    );
  }

  ctx.main.append(
    h(
      'section',
      { class: 'auth' },
      ctx.query.back && ctx.query.back !== '/me' && h('p', { class: 'notice' }, '请先登录，登录后将回到刚才的页面。'),
      tabs,
      form,
      h('p', { class: 'muted' }, '还没有账号？', h('a', { href: link('/register', { back: ctx.query.back }) }, '注册')),
    ),
  );
}
