// Hash routing: '#/product/3?x=1' -> {path: '/product/3', query: {x: '1'}}.
// Routes are [pattern, screen] pairs; ':name' matches one path segment.
// A screen is `async (ctx) => void`; ctx.onCleanup(fn) runs fn when the user
// leaves, and ctx.alive() says whether the screen is still the current one.

export function currentRoute() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(search)), hash: `#${raw}` };
}

function match(pattern, path) {
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (!have[i]) return null;
      params[want[i].slice(1)] = decodeURIComponent(have[i]);
    } else if (want[i] !== have[i]) return null;
  }
  return params;
}

/** Builds '#/path?k=v' from a path and query object. */
export function link(path, query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v != null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

/**
 * Starts routing. `makeContext(route)` returns the base context for a screen;
 * `notFound` renders unknown paths; `afterRender(route)` runs after each change.
 */
export function startRouter({ routes, makeContext, notFound, beforeRender }) {
  let cleanups = [];
  let generation = 0;

  async function render() {
    cleanups.forEach((fn) => fn());
    cleanups = [];
    const gen = ++generation;
    const route = currentRoute();
    let screen = notFound;
    let params = {};
    for (const [pattern, candidate] of routes) {
      const p = match(pattern, route.path);
      if (p) {
        screen = candidate;
        params = p;
        break;
      }
    }
    const ctx = {
      ...makeContext(route),
      route,
      params,
      query: route.query,
      alive: () => gen === generation,
      onCleanup: (fn) => cleanups.push(fn),
    };
    beforeRender?.(ctx);
    try {
      await screen(ctx);
    } catch (err) {
      if (!err?.redirected && ctx.alive()) {
        console.warn('screen failed', err);
        ctx.fail?.(err);
      }
    }
  }

  window.addEventListener('hashchange', render);
  return render();
}
