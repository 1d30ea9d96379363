// Categories (/oneCategory) on the left, the chosen one's brands
// (/twoCategory?id=) on the right; a brand leads to its products.

import { h, load, replace } from '/common/dom.js';
import { link } from '/common/router.js';

export default async function categories(ctx) {
  ctx.setTitle('分类');
  const left = h('nav', { class: 'cat-list', 'aria-label': '一级分类' });
  const right = h('section', { class: 'brand-panel', 'aria-live': 'polite' });
  ctx.main.append(h('div', { class: 'cat-layout' }, left, right));

  await load(
    left,
    () => ctx.api.get('/oneCategory'),
    (r) => {
      const list = r.oneCategoryList ?? [];
      if (list.length === 0) {
        replace(right, h('p', { class: 'muted' }, '暂无分类'));
        return;
      }
      const selected = Number(ctx.params.id) || list[0].id;
      left.append(
        h(
          'ul',
          null,
          list.map((c) =>
            h(
              'li',
              null,
              h('a', { href: `#/category/${c.id}`, 'aria-current': c.id === selected ? 'page' : null }, c.categoryName ?? '—'),
            ),
          ),
        ),
      );
      const current = list.find((c) => c.id === selected);
      showBrands(ctx, right, selected, current?.categoryName ?? '');
    },
    { alive: ctx.alive },
  );
}

function showBrands(ctx, box, id, name) {
  return load(
    box,
    () => ctx.api.get('/twoCategory', { query: { id } }),
    (r) => {
      const brands = r.twoCategoryList ?? [];
      box.append(
        h('h2', null, name || '品牌'),
        brands.length
          ? h(
              'ul',
              { class: 'brands' },
              brands.map((b) =>
                h(
                  'li',
                  null,
                  h(
                    'a',
                    { href: link(`/brand/${b.id}`, { name: b.brandName }) },
                    b.brandLogo && h('img', { src: b.brandLogo, alt: '', width: 80, height: 40 }),
                    h('span', null, b.brandName ?? '—'),
                    b.hot ? h('span', { class: 'tag' }, '热') : null,
                  ),
                ),
              ),
            )
          : h('p', { class: 'muted' }, '这个分类还没有品牌'),
      );
    },
    { alive: ctx.alive },
  );
}
