// Home: banner carousel (/banners), icon grid (/gridlist), featured (/sports).

import { h, load } from '/common/dom.js';
import { productCard } from '/shop/ui.js';
import { searchBox } from '/shop/search.js';

function carousel(items, ctx) {
  if (items.length === 0) return null;
  let index = 0;
  const track = h(
    'ul',
    { class: 'carousel-track' },
    items.map((item, i) =>
      h(
        'li',
        { class: 'slide', 'aria-roledescription': 'slide', 'aria-label': `${i + 1} / ${items.length}` },
        h('img', { src: item.img_src, alt: `活动图 ${i + 1}`, width: 750, height: 300 }),
      ),
    ),
  );
  const dots = items.map((_, i) =>
    h('button', { type: 'button', class: 'dot', 'aria-label': `第 ${i + 1} 张`, onClick: () => show(i, true) }),
  );
  function show(i, byUser) {
    index = (i + items.length) % items.length;
    track.style.transform = `translateX(${-100 * index}%)`;
    [...track.children].forEach((slide, j) => slide.setAttribute('aria-hidden', String(j !== index)));
    dots.forEach((d, j) => d.setAttribute('aria-pressed', String(j === index)));
    if (byUser) stop();
  }
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  let timer = reduced || items.length < 2 ? null : setInterval(() => show(index + 1, false), 4000);
  function stop() {
    clearInterval(timer);
    timer = null;
  }
  ctx.onCleanup(stop);
  const box = h(
    'section',
    { class: 'carousel', 'aria-roledescription': 'carousel', 'aria-label': '活动' },
    h('div', { class: 'carousel-window' }, track),
    h('button', { type: 'button', class: 'carousel-prev', 'aria-label': '上一张', onClick: () => show(index - 1, true) }, '‹'),
    h('button', { type: 'button', class: 'carousel-next', 'aria-label': '下一张', onClick: () => show(index + 1, true) }, '›'),
    h('div', { class: 'dots' }, dots),
  );
  box.addEventListener('focusin', stop);
  show(0, false);
  return box;
}

export default async function home(ctx) {
  ctx.setTitle('首页');
  const banners = h('div', { class: 'banner-box' });
  const grid = h('nav', { class: 'grid-box', 'aria-label': '频道' });
  const sports = h('div');
  ctx.main.append(
    searchBox(ctx),
    banners,
    grid,
    h('section', { class: 'section' }, h('h2', null, '运动专区'), sports),
  );
  const opts = { alive: ctx.alive };
  await Promise.all([
    load(banners, () => ctx.api.get('/banners'), (r) => banners.append(carousel(r.swipeList ?? [], ctx) ?? ''), opts),
    load(
      grid,
      () => ctx.api.get('/gridlist'),
      (r) =>
        grid.append(
          h(
            'ul',
            { class: 'icon-grid' },
            (r.gridList ?? []).map((item, i) =>
              h(
                'li',
                null,
                h('a', { href: '#/category', 'aria-label': `全部分类（入口 ${i + 1}）` }, h('img', { src: item.img_src, alt: '', width: 60, height: 60 })),
              ),
            ),
          ),
        ),
      opts,
    ),
    load(
      sports,
      () => ctx.api.get('/sports'),
      (r) =>
        sports.append(
          (r.sports ?? []).length
            ? h('ul', { class: 'cards' }, r.sports.map(productCard))
            : h('p', { class: 'muted' }, '暂无推荐商品'),
        ),
      opts,
    ),
  ]);
}
