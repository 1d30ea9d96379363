// The storefront shell: routes, title, tab bar, cart badge.

import { startRouter, navigate } from '/common/router.js';
import { h, replace, errorBox, toast } from '/common/dom.js';
import { api, session, cart, onStoreChange, loadCartQuietly } from '/shop/store.js';
import home from '/shop/home.js';
import categories from '/shop/categories.js';
import products from '/shop/products.js';
import product from '/shop/product.js';
import cartScreen from '/shop/cart.js';
import login from '/shop/login.js';
import register from '/shop/register.js';
import me from '/shop/me.js';
import addresses from '/shop/addresses.js';
import addressForm from '/shop/address-form.js';
import checkout from '/shop/checkout.js';
import pay from '/shop/pay.js';
import orders from '/shop/orders.js';
import search from '/shop/search.js';

const main = document.getElementById('main');
const title = document.getElementById('title');

const routes = [
  ['/', home],
  ['/category', categories],
  ['/category/:id', categories],
  ['/brand/:id', products],
  ['/product/:id', product],
  ['/cart', cartScreen],
  ['/login', login],
  ['/register', register],
  ['/me', me],
  ['/addresses', addresses],
  ['/addresses/new', addressForm],
  ['/addresses/:id/edit', addressForm],
  ['/checkout', checkout],
  ['/pay/:no', pay],
  ['/orders', orders],
  ['/search', search],
];

const TABS = { '/': 'home', '/category': 'category', '/brand': 'category', '/product': 'category', '/cart': 'cart', '/search': 'home' };

function tabOf(path) {
  if (path === '/') return 'home';
  const first = `/${path.split('/')[1]}`;
  return TABS[first] ?? 'me';
}

function updateCartBadge() {
  const n = cart.count;
  for (const badge of document.querySelectorAll('[data-cart-count]')) {
    badge.textContent = String(n);
    badge.hidden = n === 0;
    badge.setAttribute('aria-label', `${n} 件`);
  }
}

function notFound(ctx) {
  ctx.setTitle('页面不存在');
  replace(main, h('section', { class: 'empty' }, h('p', null, '没有这个页面。'), h('a', { class: 'btn', href: '#/' }, '回到首页')));
}

let first = true;

startRouter({
  routes,
  notFound,
  makeContext: () => ({
    main,
    api,
    session,
    cart,
    navigate,
    toast,
    setTitle(text) {
      title.textContent = text;
      document.title = text === '首页' ? '乐淘 · 运动鞋' : `${text} · 乐淘`;
    },
    fail(err) {
      replace(main, errorBox(err, () => window.dispatchEvent(new HashChangeEvent('hashchange'))));
    },
  }),
  beforeRender(ctx) {
    replace(main);
    const tab = tabOf(ctx.route.path);
    for (const a of document.querySelectorAll('.tabbar a')) {
      if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    // Keyboard and screen-reader users land on the new content.
    if (!first) main.focus({ preventScroll: true });
    first = false;
    window.scrollTo(0, 0);
  },
});

document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

onStoreChange(updateCartBadge);
window.addEventListener('storage', updateCartBadge);
updateCartBadge();
// A signed-in buyer's cart is on the server: the badge counts it.
loadCartQuietly();
