// Categories and brands (admin). Lists come from the public catalogue
// (/oneCategory, /twoCategory?id=); writes go to /admin/categories and
// /admin/brands, and the page keeps the stored objects the replies carry
// (the public lists are cached by the server for a moment).

import { h, replace, field, formStatus, onSubmit, load } from '/common/dom.js';
import { imageField, confirmButton } from '/console/widgets.js';

/** Every brand with its category name, for pickers. */
export async function allBrands(api) {
  const { oneCategoryList: cats = [] } = await api.get('/oneCategory');
  const lists = await Promise.all(cats.map((c) => api.get('/twoCategory', { query: { id: c.id } })));
  return lists.flatMap((r, i) => (r.twoCategoryList ?? []).map((b) => ({ ...b, categoryName: cats[i].categoryName ?? '—' })));
}

async function loadAll(api) {
  const { oneCategoryList: cats = [] } = await api.get('/oneCategory');
  const lists = await Promise.all(cats.map((c) => api.get('/twoCategory', { query: { id: c.id } })));
  return { categories: cats, brands: lists.flatMap((r) => r.twoCategoryList ?? []) };
}

export default async function catalogue(ctx) {
  ctx.setTitle('分类与品牌');
  const box = h('div', { class: 'two-columns' });
  ctx.main.append(h('h1', null, '分类与品牌'), box);
  await load(box, () => loadAll(ctx.api), (state) => draw(ctx, box, state), { alive: ctx.alive });
}

function draw(ctx, box, state) {
  const redraw = () => {
    replace(box);
    draw(ctx, box, state);
  };
  box.append(categoriesPanel(ctx, state, redraw), brandsPanel(ctx, state, redraw));
}

function categoriesPanel(ctx, state, redraw) {
  const status = formStatus();
  const add = h(
    'form',
    { class: 'inline-form', novalidate: true },
    field('新分类名称', h('input', { name: 'categoryName', required: true, maxlength: 20 })),
    h('button', { type: 'submit', class: 'btn primary' }, '添加分类'),
  );
  onSubmit(add, status, async () => {
    const categoryName = add.elements.categoryName.value.trim();
    if (!categoryName) throw new Error('请填写分类名称');
    const { category } = await ctx.api.post('/admin/categories', { categoryName }, { auth: true });
    state.categories.push(category);
    ctx.toast(`已添加分类「${category.categoryName}」`);
    redraw();
  });

  return h(
    'section',
    { class: 'panel' },
    h('h2', null, '分类'),
    h(
      'ul',
      { class: 'edit-list' },
      state.categories.map((c) => {
        const rowStatus = formStatus();
        const count = state.brands.filter((b) => b.categoryId === c.id).length;
        const form = h(
          'form',
          { class: 'edit-row', novalidate: true },
          h('input', { name: 'categoryName', value: c.categoryName ?? '', required: true, maxlength: 20, 'aria-label': `分类 ${c.id} 名称` }),
          h('span', { class: 'muted' }, `${count} 个品牌`),
          h('button', { type: 'submit', class: 'btn small' }, '保存'),
          confirmButton('删除', count ? '它还有品牌，服务器会拒绝。仍要删除？' : '删除这个分类？', async () => {
            try {
              await ctx.api.del(`/admin/categories/${c.id}`, { auth: true });
              state.categories = state.categories.filter((x) => x.id !== c.id);
              ctx.toast('分类已删除');
              redraw();
            } catch (err) {
              if (!err.redirected) rowStatus.error(err);
            }
          }, { danger: true }),
          rowStatus.el,
        );
        onSubmit(form, rowStatus, async () => {
          const categoryName = form.elements.categoryName.value.trim();
          if (!categoryName) throw new Error('请填写分类名称');
          const { category } = await ctx.api.put(`/admin/categories/${c.id}`, { categoryName }, { auth: true });
          Object.assign(c, category);
          ctx.toast(`分类已改名为「${category.categoryName}」`);
          redraw(); // brand groups and pickers show the new name
          return undefined;
        });
        return h('li', null, form);
      }),
    ),
    add,
    status.el,
  );
}

function brandsPanel(ctx, state, redraw) {
  const categoryOptions = (selected) =>
    state.categories.map((c) => h('option', { value: c.id, selected: c.id === selected }, c.categoryName ?? `#${c.id}`));

  const status = formStatus();
  const logo = imageField(ctx.api, { label: '品牌标志', name: 'brandLogo' });
  const add = h(
    'form',
    { class: 'sub-panel', novalidate: true },
    h('h3', null, '添加品牌'),
    field('品牌名称', h('input', { name: 'brandName', required: true, maxlength: 20 })),
    field('所属分类', h('select', { name: 'categoryId', required: true }, categoryOptions(state.categories[0]?.id))),
    logo.el,
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'hot' }), ' 热门品牌'),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, '添加品牌'),
  );
  onSubmit(add, status, async () => {
    const brandName = add.elements.brandName.value.trim();
    if (!brandName) throw new Error('请填写品牌名称');
    const body = { brandName, categoryId: Number(add.elements.categoryId.value), brandLogo: logo.value, hot: add.elements.hot.checked ? 1 : 0 };
    const { brand } = await ctx.api.post('/admin/brands', body, { auth: true });
    state.brands.push(brand);
    ctx.toast(`已添加品牌「${brand.brandName}」`);
    redraw();
  });

  const list = h(
    'ul',
    { class: 'edit-list' },
    state.brands.map((b) => {
      const rowStatus = formStatus();
      const rowLogo = imageField(ctx.api, { label: `${b.brandName} 的标志`, name: 'brandLogo', value: b.brandLogo ?? '' });
      const form = h(
        'form',
        { class: 'brand-row', novalidate: true },
        field('名称', h('input', { name: 'brandName', value: b.brandName ?? '', required: true, maxlength: 20 })),
        field('分类', h('select', { name: 'categoryId' }, categoryOptions(b.categoryId))),
        rowLogo.el,
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'hot', checked: Boolean(b.hot) }), ' 热门'),
        h(
          'div',
          { class: 'row-actions' },
          h('button', { type: 'submit', class: 'btn small' }, '保存'),
          confirmButton('删除', '删除这个品牌？有商品时服务器会拒绝。', async () => {
            try {
              await ctx.api.del(`/admin/brands/${b.id}`, { auth: true });
              state.brands = state.brands.filter((x) => x.id !== b.id);
              ctx.toast('品牌已删除');
              redraw();
            } catch (err) {
              if (!err.redirected) rowStatus.error(err);
            }
          }, { danger: true }),
        ),
        rowStatus.el,
      );
      onSubmit(form, rowStatus, async () => {
        const brandName = form.elements.brandName.value.trim();
        if (!brandName) throw new Error('请填写品牌名称');
        const body = { brandName, categoryId: Number(form.elements.categoryId.value), brandLogo: rowLogo.value, hot: form.elements.hot.checked ? 1 : 0 };
        const { brand } = await ctx.api.put(`/admin/brands/${b.id}`, body, { auth: true });
        const moved = brand.categoryId !== b.categoryId;
        Object.assign(b, brand);
        if (moved) redraw();
        return '已保存';
      });
      return h('li', { 'data-brand': b.id }, form);
    }),
  );

  return h(
    'section',
    { class: 'panel' },
    h('h2', null, '品牌'),
    state.categories.map((c) => {
      const items = [...list.children].filter((li) => state.brands.find((b) => String(b.id) === li.dataset.brand)?.categoryId === c.id);
      return h('details', { class: 'brand-group', open: true }, h('summary', null, `${c.categoryName ?? '—'}（${items.length}）`), h('ul', { class: 'edit-list' }, items));
    }),
    add,
  );
}

