// Pieces the console screens share: tables, cursor paging, image upload,
// a two-step confirm button.

import { h, replace, loading, errorBox, formStatus } from '/common/dom.js';

/** A table with a caption (visually hidden when `hideCaption`). */
export function table(caption, headers, rows, { hideCaption = true } = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: hideCaption ? 'sr-only' : null }, caption),
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows),
    ),
  );
}

/**
 * A list fed by cursor pages: `fetchPage(after)` resolves to
 * {items, next, total}; `renderItem(item)` returns a row appended to `body`.
 * Shows "加载更多" while there is a next cursor.
 */
export function pagedList({ body, footer, fetchPage, renderItem, empty = '没有记录', alive = () => true }) {
  let after = null;
  let count = 0;
  async function more() {
    replace(footer, loading());
    try {
      const { items, next, total } = await fetchPage(after);
      if (!alive()) return;
      for (const item of items) body.append(renderItem(item));
      count += items.length;
      after = next ?? null;
      replace(footer);
      if (count === 0) footer.append(h('p', { class: 'muted' }, empty));
      else {
        footer.append(h('span', { class: 'muted' }, total != null ? `已显示 ${count} / ${total} 条` : `已显示 ${count} 条`));
        if (after) footer.append(' ', h('button', { type: 'button', class: 'btn small', onClick: more }, '加载更多'));
      }
    } catch (err) {
      if (alive() && !err.redirected) replace(footer, errorBox(err, more));
    }
  }
  return more();
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const MAX_IMAGE = 2 * 1024 * 1024;

/**
 * An image chooser: a URL field plus a file upload (POST /admin/images,
 * multipart field `file`) that fills the URL. `value` is the URL.
 */
export function imageField(api, { label, name, value = '', required = false }) {
  const id = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const url = h('input', { id, name, value, required, maxlength: 255, placeholder: '/images/… 或上传' });
  const preview = h('img', { class: 'thumb', alt: '', hidden: !value, src: value || null });
  const status = formStatus();
  const file = h('input', { type: 'file', accept: IMAGE_TYPES.join(','), 'aria-label': `${label}：上传文件` });
  url.addEventListener('change', () => {
    preview.hidden = !url.value;
    if (url.value) preview.src = url.value;
  });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    if (!IMAGE_TYPES.includes(f.type)) {
      status.error('只支持 PNG、JPEG 或 WebP 图片');
      return;
    }
    if (f.size > MAX_IMAGE) {
      status.error('图片不能超过 2 MB');
      return;
    }
    const form = new FormData();
    form.append('file', f);
    status.info('上传中…');
    file.disabled = true;
    try {
      const reply = await api.request('POST', '/admin/images', { form, auth: true });
      url.value = reply.url;
      preview.src = reply.url;
      preview.hidden = false;
      status.info('已上传');
    } catch (err) {
      if (!err.redirected) status.error(err);
    } finally {
      file.disabled = false;
      file.value = '';
    }
  });
  const el = h(
    'div',
    { class: 'field image-field' },
    h('label', { for: id, class: 'field-label' }, label),
    h('div', { class: 'image-row' }, preview, h('div', { class: 'image-inputs' }, url, file)),
    status.el,
  );
  return {
    el,
    get value() {
      return url.value.trim();
    },
  };
}

/** A button that asks "确定？" in place before running `action`. */
export function confirmButton(text, question, action, { danger = false } = {}) {
  const box = h('span', { class: 'confirm-box' });
  const first = h('button', { type: 'button', class: `btn small${danger ? ' danger' : ''}` }, text);
  const reset = () => replace(box, first);
  first.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: `btn small ${danger ? 'danger-solid' : 'primary'}` }, '确定');
    const no = h('button', { type: 'button', class: 'btn small', onClick: () => { reset(); first.focus(); } }, '取消');
    replace(box, h('span', { class: 'muted' }, question), ' ', yes, ' ', no);
    yes.focus();
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      no.disabled = true;
      try {
        await action();
      } finally {
        if (box.isConnected) reset();
      }
    });
  });
  reset();
  return box;
}

/** Text for a value that may be an object. */
export function show(value) {
  if (value == null || value === '') return '—';
  if (Array.isArray(value)) return value.map(show).join('，');
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join('；');
  }
  return String(value);
}

/**
 * A button that downloads `path` (a CSV export) with `query` as `filename`,
 * with its outcome beside it.
 */
export function exportLink(ctx, label, path, query, filename) {
  const status = h('span', { class: 'form-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'btn' }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = '正在导出…';
    try {
      await ctx.api.download(path, { query, filename });
      status.textContent = '已导出';
    } catch (err) {
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'export' }, button, ' ', status);
}
