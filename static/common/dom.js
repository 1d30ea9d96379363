// Small DOM helpers shared by the storefront and the owner console.
// Everything is built with createElement/textContent: server text is never
// parsed as HTML.

/** h('a', {href: '#/', class: 'x', onClick: fn}, 'text', child, [more]) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Appends strings, numbers, nodes and (nested) arrays; skips null/false. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/** Replaces the content of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function loading(text = '加载中…') {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

/** An error message with an optional retry button. */
export function errorBox(err, retry) {
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', null, messageOf(err)),
    retry && h('button', { type: 'button', class: 'btn small', onClick: retry }, '重试'),
  );
}

export function messageOf(err) {
  return err?.message || String(err);
}

/**
 * Shows a loading state in `box`, awaits `fetcher()`, then calls
 * `render(result)` (which may fill `box`). On failure shows the error with a
 * retry button, unless the client already went to the log-in page.
 * Resolves to the result, or undefined on failure.
 */
export async function load(box, fetcher, render, { alive = () => true } = {}) {
  replace(box, loading());
  try {
    const result = await fetcher();
    if (!alive()) return undefined;
    replace(box);
    render(result);
    return result;
  } catch (err) {
    if (!alive() || err?.redirected) return undefined;
    replace(box, errorBox(err, () => load(box, fetcher, render, { alive })));
    return undefined;
  }
}

let fieldCount = 0;

/**
 * A labelled form control: <div class="field"><label for>text</label>control
 * <small hint></div>. The hint is linked by aria-describedby, so the label
 * (the control's accessible name) is just `label`.
 */
export function field(label, control, hint) {
  if (!control.id) control.id = `fld-${++fieldCount}`;
  const hintEl = hint && h('small', { class: 'hint', id: `${control.id}-hint` }, hint);
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { class: 'field-label', for: control.id }, label), control, hintEl);
}

/** A status line for a form: shows errors (role=alert) or info. */
export function formStatus() {
  const el = h('p', { class: 'form-status', 'aria-live': 'polite' });
  return {
    el,
    error(err) {
      el.className = 'form-status error-text';
      el.setAttribute('role', 'alert');
      el.textContent = messageOf(err);
    },
    info(text) {
      el.className = 'form-status info-text';
      el.removeAttribute('role');
      el.textContent = text;
    },
    clear() {
      el.className = 'form-status';
      el.removeAttribute('role');
      el.textContent = '';
    },
  };
}

/**
 * Wires a form's submit: disables its submit buttons while `action(form)` runs
 * and reports a thrown error in `status`. The action may return a message.
 */
export function onSubmit(form, status, action, { busyText } = {}) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll('button[type=submit]')];
    if (buttons.some((b) => b.disabled)) return;
    const labels = buttons.map((b) => b.textContent);
    buttons.forEach((b) => {
      b.disabled = true;
      if (busyText) b.textContent = busyText;
    });
    status.clear();
    try {
      const message = await action(form);
      if (message) status.info(message);
    } catch (err) {
      if (!err?.redirected) status.error(err);
    } finally {
      buttons.forEach((b, i) => {
        b.disabled = false;
        if (busyText) b.textContent = labels[i];
      });
    }
  });
}

/** Transient message at the bottom of the screen (announced politely). */
export function toast(text) {
  let box = document.getElementById('toast');
  if (!box) {
    box = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  box.textContent = text;
  box.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove('show'), 2500);
}
