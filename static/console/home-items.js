// Home page banners and grid icons (admin): GET/POST /admin/home-items,
// PUT /admin/home-items/{id} (the body names the kind), DELETE
// /admin/home-items/{id}?kind= (grid and banner ids may overlap).

import { h, field, formStatus, onSubmit, load } from '/common/dom.js';
import { imageField, confirmButton } from '/console/widgets.js';

const KINDS = { banner: '轮播图', grid: '图标入口' };

export default async function homeItems(ctx) {
  ctx.setTitle('首页配置');
  const box = h('div');
  ctx.main.append(h('h1', null, '首页配置'), box);
  const reload = () => load(box, () => ctx.api.get('/admin/home-items', { auth: true }), ({ items }) => draw(ctx, box, items ?? [], reload), { alive: ctx.alive });
  await reload();
}

function draw(ctx, box, items, reload) {
  for (const [kind, label] of Object.entries(KINDS)) {
    const mine = items.filter((i) => i.kind === kind).sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0) || a.id - b.id);
    box.append(
      h(
        'section',
        { class: 'panel' },
        h('h2', null, `${label}（${mine.length}）`),
        mine.length ? h('ul', { class: 'edit-list home-items' }, mine.map((item) => row(ctx, item, reload))) : h('p', { class: 'muted' }, '暂无'),
        addForm(ctx, kind, label, reload),
      ),
    );
  }
}

function row(ctx, item, reload) {
  const status = formStatus();
  const image = imageField(ctx.api, { label: `${KINDS[item.kind] ?? item.kind} #${item.id} 图片`, name: 'img_src', value: item.img_src, required: true });
  const form = h(
    'form',
    { class: 'home-row', novalidate: true },
    image.el,
    field('排序', h('input', { name: 'sort', type: 'number', step: 1, value: item.sort ?? 0 })),
    h(
      'div',
      { class: 'row-actions' },
      h('button', { type: 'submit', class: 'btn small' }, '保存'),
      confirmButton('删除', '从首页删除这张图？', async () => {
        try {
          await ctx.api.del(`/admin/home-items/${item.id}?kind=${item.kind}`, { auth: true });
          ctx.toast('已删除');
          await reload();
        } catch (err) {
          if (!err.redirected) status.error(err);
        }
      }, { danger: true }),
    ),
    status.el,
  );
  onSubmit(form, status, async () => {
    const sort = Number(form.elements.sort.value || 0);
    if (!Number.isInteger(sort)) throw new Error('排序应为整数');
    if (!image.value) throw new Error('请上传或填写图片');
    await ctx.api.put(`/admin/home-items/${item.id}`, { kind: item.kind, img_src: image.value, sort }, { auth: true });
    return '已保存';
  });
  return h('li', null, form);
}

function addForm(ctx, kind, label, reload) {
  const status = formStatus();
  const image = imageField(ctx.api, { label: `新${label}图片`, name: 'img_src', required: true });
  const form = h(
    'form',
    { class: 'sub-panel', novalidate: true },
    h('h3', null, `添加${label}`),
    image.el,
    field('排序', h('input', { name: 'sort', type: 'number', step: 1, value: 0 })),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, `添加${label}`),
  );
  onSubmit(form, status, async () => {
    const sort = Number(form.elements.sort.value || 0);
    if (!Number.isInteger(sort)) throw new Error('排序应为整数');
    if (!image.value) throw new Error('请上传或填写图片');
    await ctx.api.post('/admin/home-items', { kind, img_src: image.value, sort }, { auth: true });
    ctx.toast(`已添加${label}`);
    await reload();
  });
  return form;
}

