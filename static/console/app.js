// The owner console shell: log-in, role check (admin: everything; staff:
// orders and shipping), navigation and routes.

import { createClient } from '/common/api.js';
import { startRouter, navigate } from '/common/router.js';
import { h, replace, field, formStatus, onSubmit, loading, errorBox, toast } from '/common/dom.js';
import { ordersList, orderDetail, orderPacking } from '/console/orders.js';
import products from '/console/products.js';
import lowStock from '/console/stock.js';
import catalogue from '/console/catalogue.js';
import homeItems from '/console/home-items.js';
import audit from '/console/audit.js';
import reconciliations from '/console/reconciliations.js';

const USER_KEY = 'letao.console.user';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

const ROLE_LABELS = { admin: '管理员', staff: '店员' };
const OWNER = ['admin', 'staff'];
const ADMIN = ['admin'];

const SECTIONS = [
  { path: '/orders', label: '订单发货', roles: OWNER },
  { path: '/products', label: '商品', roles: ADMIN },
  { path: '/stock', label: '库存预警', roles: ADMIN },
  { path: '/catalogue', label: '分类与品牌', roles: ADMIN },
  { path: '/home-items', label: '首页配置', roles: ADMIN },
  { path: '/audit', label: '操作日志', roles: ADMIN },
  { path: '/reconciliations', label: '对账报告', roles: ADMIN },
];

let user = null;
let routerStarted = false;

const api = createClient({
  tokenKey: 'letao.console.token',
  onUnauthorized: () => showLogin('登录已失效，请重新登录。'),
});

function setUser(u) {
  user = u;
  if (u) localStorage.setItem(USER_KEY, JSON.stringify(u));
  else localStorage.removeItem(USER_KEY);
  drawChrome();
}

function signOut() {
  api.setToken(null);
  setUser(null);
  showLogin();
}

function isOwner(u) {
  return OWNER.includes(u?.role);
}

function drawChrome() {
  const role = user?.role;
  nav.hidden = !isOwner(user);
  replace(
    nav,
    h(
      'ul',
      null,
      SECTIONS.filter((s) => s.roles.includes(role)).map((s) => h('li', null, h('a', { href: `#${s.path}`, 'data-section': s.path }, s.label))),
    ),
  );
  markNav();
  replace(
    who,
    user &&
      h(
        'span',
        null,
        h('span', { class: 'who-name' }, user.username),
        ROLE_LABELS[role] && h('span', { class: 'role' }, ROLE_LABELS[role]),
        ' ',
        h('button', { type: 'button', class: 'btn small ghost', onClick: signOut }, '退出'),
      ),
  );
}

function markNav() {
  const first = `/${(location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] || 'orders')}`;
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.section === first) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function setTitle(text) {
  document.title = `${text} · 乐淘店铺后台`;
}

function showLogin(notice) {
  setUser(null);
  api.setToken(null);
  setTitle('登录');
  const status = formStatus();
  const form = h(
    'form',
    { class: 'panel login', novalidate: true },
    h('h1', null, '店铺后台登录'),
    notice && h('p', { class: 'notice' }, notice),
    field('用户名', h('input', { name: 'username', autocomplete: 'username', required: true })),
    field('密码', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, '登录'),
    h('p', { class: 'muted' }, '使用商城账号登录；需要管理员或店员权限。'),
  );
  onSubmit(
    form,
    status,
    async () => {
      const username = form.elements.username.value;
      const password = form.elements.password.value;
      if (!username.trim() || !password) throw new Error('请输入用户名和密码');
      const reply = await api.post('/login', { username, password });
      api.setToken(reply.token);
      setUser(reply.userInfo);
      enter();
    },
    { busyText: '登录中…' },
  );
  replace(main, form);
  form.elements.username.focus();
}

function showNoAccess() {
  setTitle('无权访问');
  replace(
    main,
    h(
      'section',
      { class: 'panel no-access', role: 'alert' },
      h('h1', null, '无权访问'),
      h('p', null, `账号「${user?.username ?? ''}」没有店铺后台权限。请让管理员为你开通管理员或店员角色。`),
      h('div', { class: 'row-actions' }, h('button', { type: 'button', class: 'btn', onClick: signOut }, '换个账号登录'), h('a', { class: 'btn', href: '/' }, '回到商城')),
    ),
  );
}

/** Wraps a screen so only `roles` reach it. */
function guard(roles, screen) {
  return async (ctx) => {
    if (!user) return showLogin();
    if (!isOwner(user)) return showNoAccess();
    if (!roles.includes(user.role)) {
      setTitle('仅限管理员');
      replace(main, h('section', { class: 'panel', role: 'alert' }, h('h1', null, '仅限管理员'), h('p', null, '店员可以查看订单和发货。'), h('a', { class: 'btn', href: '#/orders' }, '去订单')));
      return undefined;
    }
    return screen(ctx);
  };
}

const routes = [
  ['/', guard(OWNER, () => navigate('#/orders', { replace: true }))],
  ['/orders', guard(OWNER, ordersList)],
  ['/orders/:no', guard(OWNER, orderDetail)],
  ['/orders/:no/packing', guard(OWNER, orderPacking)],
  ['/products', guard(ADMIN, products)],
  ['/stock', guard(ADMIN, lowStock)],
  ['/catalogue', guard(ADMIN, catalogue)],
  ['/home-items', guard(ADMIN, homeItems)],
  ['/audit', guard(ADMIN, audit)],
  ['/reconciliations', guard(ADMIN, reconciliations)],
];

function enter() {
  drawChrome();
  if (!isOwner(user)) {
    showNoAccess();
    return;
  }
  if (!routerStarted) {
    routerStarted = true;
    startRouter({
      routes,
      notFound: guard(OWNER, () => navigate('#/orders', { replace: true })),
      makeContext: () => ({
        main,
        api,
        navigate,
        toast,
        setTitle,
        get role() {
          return user?.role;
        },
        fail(err) {
          replace(main, errorBox(err, () => window.dispatchEvent(new HashChangeEvent('hashchange'))));
        },
      }),
      beforeRender() {
        replace(main);
        markNav();
        main.focus({ preventScroll: true });
      },
    });
  } else {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
}

async function start() {
  document.querySelector('.skip').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  if (!api.token) {
    showLogin();
    return;
  }
  replace(main, loading('正在确认登录…'));
  try {
    const { userInfo } = await api.get('/user/me', { auth: true });
    setUser(userInfo);
    enter();
  } catch (err) {
    if (err.redirected) return;
    replace(main, errorBox(err, start));
  }
}

start();
