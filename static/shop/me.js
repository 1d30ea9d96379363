// My account: who I am (GET /user/me), my orders, my addresses, log out.

import { h, load } from '/common/dom.js';
import { loginPrompt } from '/shop/ui.js';

export default async function me(ctx) {
  ctx.setTitle('我的');
  if (!ctx.session.loggedIn) {
    ctx.main.append(loginPrompt('登录后查看订单和收货地址。', '/me'));
    return;
  }
  const profile = h('section', { class: 'profile' });
  ctx.main.append(
    profile,
    h(
      'nav',
      { class: 'menu', 'aria-label': '我的' },
      h('ul', null, h('li', null, h('a', { href: '#/orders' }, '我的订单')), h('li', null, h('a', { href: '#/addresses' }, '收货地址'))),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'btn block',
        onClick: () => {
          ctx.session.signOut();
          ctx.toast('已退出登录');
          ctx.navigate('#/');
        },
      },
      '退出登录',
    ),
  );
  await load(
    profile,
    () => ctx.api.get('/user/me', { auth: true }),
    ({ userInfo }) => {
      ctx.session.setUser(userInfo);
      profile.append(
        h('p', { class: 'profile-name' }, userInfo.username),
        h('p', { class: 'muted' }, `手机 ${userInfo.mobile ?? '—'}`),
        userInfo.role && h('p', null, h('a', { href: '/admin' }, '进入店铺后台')),
      );
    },
    { alive: ctx.alive },
  );
}
