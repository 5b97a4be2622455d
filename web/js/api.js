// Talking to gaia_server: JSON over fetch with the session cookie. Writes carry
// X-Gaia-Request: 1 (the server refuses cookie-authenticated writes without it).
// The admin key is never kept: sign-in sends it once and gets an HttpOnly cookie back.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.message || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
  get unauthorized() {
    return this.status === 401;
  }
}

let onUnauthorized = () => {};
// Called when an answer says the session is gone (401).
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function request(method, path, body) {
  const init = {
    method,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json' },
  };
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-Gaia-Request'] = '1';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text.slice(0, 200) };
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (err.unauthorized && path !== '/api/admin/session') onUnauthorized();
    throw err;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body === undefined ? {} : body);
export const put = (path, body) => request('PUT', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);

// "/x?a=1&b=2" from a path and the defined, non-empty entries of `params`.
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const enc = encodeURIComponent;

// Exchanges an admin key for the session cookie. The key is only passed through.
export async function signIn(key) {
  await request('POST', '/api/admin/session', { key });
}

export async function signOut() {
  await request('DELETE', '/api/admin/session');
}

// True when the session cookie is valid (an admin-only read that every server has).
export async function signedIn() {
  try {
    await get('/api/ws/health');
    return true;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return false;
    throw e;
  }
}
