// Products (admin): list (GET /admin/products), create (POST, with stock per
// size), edit name, price, image, featured, sort (PUT), hide/unhide, and the
// size grid of each product (stock per size, in stock.js).

import { h, replace, field, formStatus, onSubmit, load } from '/common/dom.js';
import { yuan } from '/common/format.js';
import { link } from '/common/router.js';
import { pagedList, imageField } from '/console/widgets.js';
import { allBrands } from '/console/catalogue.js';
import { sizeGrid } from '/console/stock.js';

const PAGE_SIZE = 20;
const PRICE_RE = /^\d{1,7}(\.\d{1,2})?$/;

function sizesText(sizes) {
  return (sizes ?? []).join(', ');
}

function parseSizes(text) {
  return text
    .split(/[,，\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseKeywords(text) {
  return text
    .split(/[,，、]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function brandSelect(brands, selected, { name = 'brandId', all } = {}) {
  return h(
    'select',
    { name, required: !all },
    all && h('option', { value: '' }, all),
    brands.map((b) => h('option', { value: b.id, selected: String(b.id) === String(selected ?? '') }, `${b.categoryName} / ${b.brandName}`)),
  );
}

export default async function products(ctx) {
  ctx.setTitle('商品');
  const top = h('div');
  ctx.main.append(h('h1', null, '商品'), top);
  await load(top, () => allBrands(ctx.api), (brands) => page(ctx, top, brands), { alive: ctx.alive });
}

function page(ctx, top, brands) {
  const brandName = new Map(brands.map((b) => [b.id, b.brandName]));
  const createBox = h('div');
  const openCreate = h('button', { type: 'button', class: 'btn primary', 'aria-expanded': 'false' }, '新增商品');
  openCreate.addEventListener('click', () => {
    const open = openCreate.getAttribute('aria-expanded') === 'true';
    openCreate.setAttribute('aria-expanded', String(!open));
    replace(createBox, !open && productForm(ctx, brands, null, () => ctx.navigate(location.hash)));
    if (!open) createBox.querySelector('input')?.focus();
  });

  const filters = h(
    'form',
    { class: 'filters', role: 'search' },
    field('搜索', h('input', { type: 'search', name: 'q', 'aria-label': '搜索商品', value: ctx.query.q ?? '', maxlength: 50, placeholder: '名称、拼音或编码' })),
    field('品牌', brandSelect(brands, ctx.query.brandId, { all: '全部品牌' })),
    field(
      '状态',
      h(
        'select',
        { name: 'hidden' },
        [['', '全部'], ['false', '在售'], ['true', '已隐藏']].map(([value, text]) => h('option', { value, selected: (ctx.query.hidden ?? '') === value }, text)),
      ),
    ),
    h('div', { class: 'filter-buttons' }, h('button', { type: 'submit', class: 'btn' }, '筛选')),
  );
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(filters));
    ctx.navigate(link('/products', { q: data.q.trim(), brandId: data.brandId, hidden: data.hidden }));
  });

  const body = h('tbody');
  const footer = h('div', { class: 'list-footer' });
  top.append(
    h('div', { class: 'toolbar' }, openCreate),
    createBox,
    filters,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        null,
        h('caption', { class: 'sr-only' }, '商品列表'),
        h('thead', null, h('tr', null, ['图片', '名称', '品牌', '价格', '原价', '库存', '推荐', '状态', '操作'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      ),
    ),
    footer,
  );

  return pagedList({
    body,
    footer,
    alive: ctx.alive,
    empty: '没有商品',
    fetchPage: async (after) => {
      const r = await ctx.api.get('/admin/products', {
        auth: true,
        query: { q: ctx.query.q, brandId: ctx.query.brandId, hidden: ctx.query.hidden, pageSize: PAGE_SIZE, after },
      });
      return { items: r.products ?? [], next: r.next, total: r.total };
    },
    renderItem: (p) => productRow(ctx, p, brands, brandName),
  });
}

function productRow(ctx, p, brands, brandName) {
  const row = h('tr', { 'data-product': p.id });
  const editorRow = h('tr', { class: 'editor-row', hidden: true }, h('td', { colspan: 9 }));
  const frag = document.createDocumentFragment();

  function draw(current, { keepOpen = false } = {}) {
    p = current;
    const open = keepOpen && !editorRow.hidden;
    const edit = h('button', { type: 'button', class: 'btn small', 'aria-expanded': String(open), 'aria-label': `编辑 ${p.name}` }, '编辑');
    edit.addEventListener('click', () => {
      const open = !editorRow.hidden;
      editorRow.hidden = open;
      edit.setAttribute('aria-expanded', String(!open));
      replace(
        editorRow.firstChild,
        !open && productForm(ctx, brands, p, (updated) => { editorRow.hidden = true; draw(updated); }),
        // The grid's saves show in the row (sizes, stock) and keep the editor open.
        !open && sizeGrid(ctx, p.id, (fresh) => draw({ ...p, sizes: fresh.sizes, stock: fresh.stock, pooled: fresh.pooled }, { keepOpen: true })),
      );
      if (!open) editorRow.querySelector('input')?.focus();
    });
    const hide = h('button', { type: 'button', class: 'btn small' }, p.hidden ? '取消隐藏' : '隐藏');
    hide.addEventListener('click', async () => {
      hide.disabled = true;
      try {
        const want = !p.hidden;
        const r = await ctx.api.put(`/admin/products/${p.id}`, { hidden: want }, { auth: true });
        // The reply may be the public shape (without `hidden`).
        const updated = { ...p, ...r.product, hidden: r.product?.hidden ?? want };
        ctx.toast(updated.hidden ? '已隐藏，商城不再显示' : '已恢复上架');
        draw(updated);
      } catch (err) {
        hide.disabled = false;
        if (!err.redirected) ctx.toast(err.message);
      }
    });
    replace(
      row,
      h('td', null, h('img', { class: 'thumb', src: p.img, alt: '' })),
      h('td', null, p.name, h('br'), h('small', { class: 'muted' }, `ID ${p.id} · 尺码 ${sizesText(p.sizes) || '—'}`)),
      h('td', null, brandName.get(p.brandId) ?? `#${p.brandId}`),
      h('td', { class: 'num' }, yuan(p.price)),
      h('td', { class: 'num' }, yuan(p.oldPrice)),
      h('td', { class: `num${p.stock === 0 ? ' warn' : ''}` }, p.stock),
      h('td', null, p.featured ? '是' : '—'),
      h('td', null, p.hidden ? h('span', { class: 'state s-closed' }, '已隐藏') : h('span', { class: 'state s-success' }, '在售')),
      h('td', { class: 'actions' }, edit, ' ', hide),
    );
  }
  draw(p);
  frag.append(row, editorRow);
  return frag;
}

/** Create (p = null) or edit form. `done(product)` runs after saving. */
function productForm(ctx, brands, p, done) {
  const status = formStatus();
  const image = imageField(ctx.api, { label: '商品图片', name: 'img', value: p?.img ?? '', required: true });
  const form = h(
    'form',
    { class: 'panel product-form', novalidate: true },
    h('h2', null, p ? `编辑：${p.name}` : '新增商品'),
    h(
      'div',
      { class: 'form-grid' },
      field('名称', h('input', { name: 'name', value: p?.name ?? '', required: true, maxlength: 100 })),
      field('品牌', brandSelect(brands, p?.brandId)),
      field('价格（元）', h('input', { name: 'price', inputmode: 'decimal', value: p ? Number(p.price).toFixed(2) : '', required: true })),
      field('原价（元）', h('input', { name: 'oldPrice', inputmode: 'decimal', value: p ? Number(p.oldPrice).toFixed(2) : '', required: true })),
      // Sizes and stock of an existing product are the size grid's.
      !p && field('尺码', h('input', { name: 'sizes', value: '', placeholder: '38, 39, 40' }), '用逗号或空格分隔；不填为均码'),
      !p && field('每个尺码的库存', h('input', { name: 'stock', type: 'number', min: 0, step: 1, value: 0, required: true }), '之后可在尺码表里按尺码调整'),
      p && field('排序', h('input', { name: 'sort', type: 'number', step: 1, value: p.sort ?? 0 }), '数字小的排在前面'),
      field('搜索关键词', h('input', { name: 'keywords', value: (p?.keywords ?? []).join(', '), placeholder: '跑鞋, 慢跑' }), '顾客会搜的词，名称里没有的；用逗号分隔，最多 10 个'),
    ),
    image.el,
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'featured', checked: Boolean(p?.featured) }), ' 首页推荐（运动专区）'),
    status.el,
    h('div', { class: 'row-actions' }, h('button', { type: 'submit', class: 'btn primary' }, p ? '保存修改' : '创建商品')),
  );
  onSubmit(
    form,
    status,
    async () => {
      const el = form.elements;
      const name = el.name.value.trim();
      const price = el.price.value.trim();
      const oldPrice = el.oldPrice.value.trim();
      if (!name) throw new Error('请填写名称');
      if (!el.brandId.value) throw new Error('请选择品牌');
      if (!PRICE_RE.test(price)) throw new Error('价格应为数字，最多两位小数');
      if (!PRICE_RE.test(oldPrice)) throw new Error('原价应为数字，最多两位小数');
      if (!image.value) throw new Error('请上传或填写商品图片');
      const body = {
        brandId: Number(el.brandId.value),
        name,
        img: image.value,
        price,
        oldPrice,
        featured: el.featured.checked,
        keywords: parseKeywords(el.keywords.value),
      };
      if (body.keywords.length > 10) throw new Error('关键词最多 10 个');
      if (new Set(body.keywords).size !== body.keywords.length) throw new Error('关键词有重复');
      let reply;
      if (p) {
        const sort = Number(el.sort.value || 0);
        if (!Number.isInteger(sort)) throw new Error('排序应为整数');
        body.sort = sort;
        reply = await ctx.api.put(`/admin/products/${p.id}`, body, { auth: true });
        ctx.toast('商品已保存');
      } else {
        const stock = Number(el.stock.value);
        if (!Number.isInteger(stock) || stock < 0) throw new Error('库存应为不小于 0 的整数');
        const sizes = parseSizes(el.sizes.value);
        if (new Set(sizes).size !== sizes.length) throw new Error('尺码有重复');
        // Each size gets its own stock (a product without sizes sells one, 均码).
        body.skus = (sizes.length ? sizes : ['均码']).map((size) => ({ size, stock }));
        reply = await ctx.api.post('/admin/products', body, { auth: true });
        ctx.toast(`已创建商品 #${reply.product?.id ?? ''}`);
      }
      // Keep owner-only fields the reply may leave out (public shape).
      done({ ...p, ...body, ...reply.product, featured: reply.product?.featured ?? body.featured, sort: reply.product?.sort ?? body.sort ?? p?.sort });
    },
    { busyText: '保存中…' },
  );
  return form;
}
