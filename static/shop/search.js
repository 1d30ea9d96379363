// Search (/search, /search/suggest): a search box with suggestions as it
// is typed, filters (brand, size, price) and sort, results with "load more"
// (the `next` cursor). The state is in the hash (#/search?q=&brandId=...),
// so a search can be shared, reloaded and gone back to.

import { h, loading, errorBox, replace } from '/common/dom.js';
import { link } from '/common/router.js';
import { productCard } from '/shop/ui.js';

const PAGE_SIZE = 10;
const SIZES = ['36', '37', '38', '39', '40', '41', '42', '43', '44', '45'];
const SORTS = [
  ['', '综合'],
  ['newest', '最新'],
  ['price_asc', '价格从低到高'],
  ['price_desc', '价格从高到低'],
  ['sales', '销量'],
];
const FILTERS = ['q', 'brandId', 'size', 'minPrice', 'maxPrice', 'sort'];

/** A search box that suggests as it is typed; submitting goes to the results. */
export function searchBox(ctx, value = '') {
  const list = h('datalist', { id: 'search-suggestions' });
  const input = h('input', {
    type: 'search',
    name: 'q',
    value,
    maxLength: 50,
    placeholder: '搜索：耐克 跑步鞋、nike、nk',
    'aria-label': '搜索商品',
    list: 'search-suggestions',
    autocomplete: 'off',
  });
  let timer = null;
  let asked = '';
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q || q === asked) return;
    timer = setTimeout(async () => {
      asked = q;
      try {
        const r = await ctx.api.get('/search/suggest', { query: { q } });
        if (input.value.trim() !== q) return;
        replace(list, ...(r.suggestions ?? []).map((s) => h('option', { value: s.text, 'data-kind': s.kind })));
      } catch {
        // Suggestions are a help: the search itself still works.
      }
    }, 150);
  });
  ctx.onCleanup?.(() => clearTimeout(timer));
  const form = h(
    'form',
    { class: 'search-box', role: 'search' },
    input,
    list,
    h('button', { type: 'submit', class: 'btn small' }, '搜索'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (q) ctx.navigate(link('/search', { ...(ctx.route?.path === '/search' ? ctx.query : {}), q }));
  });
  return form;
}

async function brandOptions(ctx) {
  const cats = (await ctx.api.get('/oneCategory')).oneCategoryList ?? [];
  const lists = await Promise.all(cats.map((c) => ctx.api.get('/twoCategory', { query: { id: c.id } })));
  return lists.flatMap((r) => r.twoCategoryList ?? []);
}

function select(name, label, options, current) {
  return h(
    'label',
    { class: 'filter' },
    h('span', null, label),
    h(
      'select',
      { name },
      options.map(([value, text]) => h('option', { value, selected: String(current ?? '') === value ? true : null }, text)),
    ),
  );
}

export default async function search(ctx) {
  const q = (ctx.query.q ?? '').trim();
  ctx.setTitle(q ? `搜索：${q}` : '搜索');
  const filters = h('form', { class: 'search-filters', 'aria-label': '筛选' });
  const list = h('ul', { class: 'cards', 'aria-label': '搜索结果' });
  const footer = h('div', { class: 'list-footer', 'aria-live': 'polite' });
  ctx.main.append(
    h('section', { class: 'section' }, searchBox(ctx, q), filters, h('h2', { class: 'sr-only' }, '搜索结果'), list, footer),
  );

  let brands = [];
  try {
    brands = await brandOptions(ctx);
  } catch {
    brands = [];
  }
  if (!ctx.alive()) return;
  filters.append(
    select('brandId', '品牌', [['', '全部品牌'], ...brands.map((b) => [String(b.id), b.brandName ?? '—'])], ctx.query.brandId),
    select('size', '尺码', [['', '全部尺码'], ...SIZES.map((s) => [s, s])], ctx.query.size),
    h('label', { class: 'filter' }, h('span', null, '最低价'), h('input', { name: 'minPrice', inputMode: 'decimal', size: 6, value: ctx.query.minPrice ?? '' })),
    h('label', { class: 'filter' }, h('span', null, '最高价'), h('input', { name: 'maxPrice', inputMode: 'decimal', size: 6, value: ctx.query.maxPrice ?? '' })),
    select('sort', '排序', SORTS, ctx.query.sort),
    h('button', { type: 'submit', class: 'btn small' }, '筛选'),
  );
  const apply = (event) => {
    event?.preventDefault();
    const next = { q };
    for (const name of FILTERS.slice(1)) next[name] = filters.elements[name].value.trim();
    ctx.navigate(link('/search', next));
  };
  filters.addEventListener('submit', apply);
  for (const s of filters.querySelectorAll('select')) s.addEventListener('change', apply);

  const query = {};
  for (const name of FILTERS) if (ctx.query[name]) query[name] = ctx.query[name];
  if (!q && Object.keys(query).length === 0) {
    footer.append(h('p', { class: 'muted' }, '输入品牌、款式或拼音，例如：耐克 跑步鞋、nike、nk'));
    return;
  }
  let after = null;
  async function more() {
    replace(footer, loading());
    try {
      const r = await ctx.api.get('/search', { query: { ...query, pageSize: PAGE_SIZE, ...(after ? { after } : {}) } });
      if (!ctx.alive()) return;
      list.append(...(r.products ?? []).map(productCard));
      after = r.next ?? null;
      replace(footer);
      if (list.children.length === 0) footer.append(h('p', { class: 'muted empty-result' }, '没有找到相关商品，换个词试试'));
      else if (after) footer.append(h('button', { type: 'button', class: 'btn', onClick: more }, '加载更多'));
      else footer.append(h('p', { class: 'muted' }, '没有更多了'));
    } catch (err) {
      if (ctx.alive() && !err.redirected) replace(footer, errorBox(err, more));
    }
  }
  await more();
}
