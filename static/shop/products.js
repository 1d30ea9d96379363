// A brand's products (/products?brandId=&page=&pageSize=), with "load more"
// (the `next` cursor when the server gives one, else the next page).

import { h, loading, errorBox, replace } from '/common/dom.js';
import { productCard } from '/shop/ui.js';

const PAGE_SIZE = 10;

export default async function products(ctx) {
  const brandId = Number(ctx.params.id);
  ctx.setTitle(ctx.query.name || '商品');
  const list = h('ul', { class: 'cards' });
  const footer = h('div', { class: 'list-footer' });
  ctx.main.append(h('section', { class: 'section' }, h('h2', { class: 'sr-only' }, '商品列表'), list, footer));

  let page = 1;
  let after = null;

  async function more() {
    replace(footer, loading());
    try {
      const query = { brandId, pageSize: PAGE_SIZE };
      if (after) query.after = after;
      else query.page = page;
      const r = await ctx.api.get('/products', { query });
      if (!ctx.alive()) return;
      const items = r.products ?? [];
      list.append(...items.map(productCard));
      after = r.next ?? null;
      page += 1;
      const hasMore = 'next' in r ? Boolean(r.next) : (r.page ?? page - 1) * (r.pageSize ?? PAGE_SIZE) < (r.total ?? 0);
      replace(footer);
      if (list.children.length === 0) footer.append(h('p', { class: 'muted' }, '这个品牌暂无商品'));
      else if (hasMore) {
        const button = h('button', { type: 'button', class: 'btn', onClick: more }, '加载更多');
        footer.append(button);
      } else footer.append(h('p', { class: 'muted' }, `共 ${r.total ?? list.children.length} 件`));
    } catch (err) {
      if (ctx.alive() && !err.redirected) replace(footer, errorBox(err, more));
    }
  }
  await more();
}
