// The JSON API client: same origin, bearer token, one error type.
//
// Every reply carries `status` (200 or an error code) and errors carry `msg`.
// A 401 on a call that needs the token clears the token and calls
// `onUnauthorized()` (which goes to the log-in page); the thrown error is then
// marked `redirected` so screens do not show it.

const LABELS = {
  1000: '已被注册',
  1010: '输入有误',
  1020: '验证码错误、已过期或已用完',
  1030: '操作太频繁',
  1040: '登录失败',
  1045: '短信发送失败',
  1050: '支付服务出错',
  1060: '订单不存在',
  1061: '订单当前状态不允许此操作',
  401: '登录已失效，请重新登录',
  403: '没有权限',
  404: '未找到',
  409: '冲突',
  413: '内容太大',
  500: '服务器内部错误',
  503: '服务暂时不可用',
};

export class ApiError extends Error {
  constructor(message, { httpStatus = 0, code = 0, msg = '', retryAfter = null, data = null } = {}) {
    super(message);
    /** The reply's `data`, when an error carries one (1062: `oauthUrl`). */
    this.data = data;
    this.name = 'ApiError';
    this.httpStatus = httpStatus;
    this.code = code;
    this.msg = msg;
    this.retryAfter = retryAfter;
    this.redirected = false;
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
export function retryAfterSeconds(value) {
  if (value == null || value === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

function describe(code, httpStatus, msg, retryAfter) {
  const label = LABELS[code] ?? LABELS[httpStatus];
  let text;
  if (label && msg && msg !== label) text = `${label}：${msg}`;
  else text = msg || label || `请求失败（HTTP ${httpStatus}）`;
  if (retryAfter != null) text += `。请 ${retryAfter} 秒后再试`;
  return text;
}

function queryString(query) {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v != null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function createClient({ tokenKey, onUnauthorized = () => {} }) {
  const client = {
    get token() {
      return localStorage.getItem(tokenKey);
    },
    setToken(token) {
      if (token) localStorage.setItem(tokenKey, token);
      else localStorage.removeItem(tokenKey);
    },

    /**
     * request('POST', '/order', {body, auth: true}). `auth` sends the token
     * and treats 401 as "log in again"; `form` sends a FormData as multipart.
     * Resolves to the parsed reply (status 200); rejects with an ApiError.
     */
    async request(method, path, { body, query, auth = false, form } = {}) {
      const headers = { Accept: 'application/json' };
      const token = client.token;
      if (auth) {
        if (!token) throw unauthorized(new ApiError(LABELS[401], { httpStatus: 401, code: 401 }));
        headers.Authorization = `Bearer ${token}`;
      }
      let payload;
      if (form) payload = form;
      else if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      let res;
      try {
        res = await fetch(path + queryString(query), { method, headers, body: payload });
      } catch {
        throw new ApiError('网络错误，请检查网络后重试');
      }
      let data = null;
      try {
        data = await res.json();
      } catch {
        data = null;
      }
      const code = Number(data?.status ?? res.status);
      if (res.ok && code === 200) return data;
      throw failure(res, data, auth);
    },

    /**
     * download('/admin/orders.csv', {query, filename}): a file fetched with
     * the token, handed to the browser as a download. Rejects with an
     * ApiError as request() does.
     */
    async download(path, { query, filename } = {}) {
      const token = client.token;
      if (!token) throw unauthorized(new ApiError(LABELS[401], { httpStatus: 401, code: 401 }));
      let res;
      try {
        res = await fetch(path + queryString(query), { headers: { Authorization: `Bearer ${token}` } });
      } catch {
        throw new ApiError('网络错误，请检查网络后重试');
      }
      if (!res.ok) {
        const data = await res.json().catch(() => null);
        throw failure(res, data, true);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = Object.assign(document.createElement('a'), { href: url, download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
    get: (path, opts) => client.request('GET', path, opts),
    post: (path, body, opts) => client.request('POST', path, { ...opts, body }),
    put: (path, body, opts) => client.request('PUT', path, { ...opts, body }),
    del: (path, opts) => client.request('DELETE', path, opts),
  };

  /** The ApiError of a refused reply (`data`: its JSON body, if any). */
  function failure(res, data, auth) {
    const code = Number(data?.status ?? res.status);
    const retryAfter =
      res.status === 429 || res.status === 503 ? retryAfterSeconds(res.headers.get('Retry-After')) : null;
    const msg = typeof data?.msg === 'string' ? data.msg : '';
    const err = new ApiError(describe(code, res.status, msg, retryAfter), {
      httpStatus: res.status,
      code,
      msg,
      retryAfter,
      data: data?.data ?? null,
    });
    return auth && res.status === 401 ? unauthorized(err) : err;
  }

  function unauthorized(err) {
    client.setToken(null);
    err.redirected = true;
    onUnauthorized(err);
    return err;
  }

  return client;
}
