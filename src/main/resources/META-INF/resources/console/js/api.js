// The only place that talks to the service. The bearer token lives in this module's variable and nowhere else:
// never in localStorage, sessionStorage, a cookie or a URL. Reloading the page forgets it.

let token = null;
let claims = null;

export function signIn(value) {
  token = value.trim().replace(/^Bearer\s+/i, '');
  claims = decodeClaims(token);
}

export function signOut() {
  token = null;
  claims = null;
}

export function signedIn() {
  return token !== null;
}

/** The token's claims as the browser reads them (unverified; the service verifies). For display only. */
export function tokenClaims() {
  return claims;
}

function decodeClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part.padEnd(part.length + (4 - part.length % 4) % 4, '=')),
      c => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export class ApiError extends Error {
  constructor(status, title, advice, detail) {
    super(title);
    this.title = title;
    this.status = status;
    this.advice = advice;
    this.detail = detail;
  }
}

function url(path, params) {
  const u = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (Array.isArray(v)) v.forEach(x => u.searchParams.append(k, x));
    else if (v !== null && v !== undefined && v !== '') u.searchParams.set(k, v);
  }
  return u;
}

async function call(path, params, accept) {
  if (!token) throw new ApiError(0, 'Not signed in', 'Paste a token with the audit:read scope to sign in.');
  let response;
  try {
    response = await fetch(url(path, params), {
      headers: {Authorization: `Bearer ${token}`, Accept: accept},
      cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer'
    });
  } catch (e) {
    throw new ApiError(0, 'Cannot reach the service',
      `The request to ${window.location.origin} failed (${e.message}). Check that the service is running and try again.`);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

async function failure(response) {
  let detail = '';
  try {
    const body = await response.json();
    detail = body.detail || '';
  } catch { /* not JSON */ }
  switch (response.status) {
    case 401:
      return new ApiError(401, 'The service refused this token',
        'It is expired, malformed or not issued for this service. Sign out and paste a fresh token.', detail);
    case 403:
      return new ApiError(403, 'This token lacks audit:read',
        'Ask for a token with the audit:read scope (on a development machine: deploy/mint-dev-token.sh <tenant> "audit:read scim:read").',
        detail);
    case 404:
      return new ApiError(404, 'Not found in this tenant\'s log',
        'Nothing with that id exists in the tenant your token belongs to (or it did not exist at that moment).', detail);
    case 400:
      return new ApiError(400, 'The service did not accept the request', 'Correct the highlighted values and try again.',
        detail);
    default:
      return new ApiError(response.status, `The service failed (HTTP ${response.status})`,
        'Try again in a moment; if it keeps failing, the operators will find the cause in the service\'s log.', detail);
  }
}

export async function getJson(path, params) {
  const response = await call(path, params, 'application/json');
  return response.json();
}

/**
 * Fetches one of the streamed exports (format csv or ndjson) with the token and hands it to the browser as a file
 * download. Returns the file's name, size and number of rows.
 */
export async function download(path, params, format) {
  const response = await call(path, {...params, format}, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') || '';
  const name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || `audit-export.${format}`;
  const text = await blob.text();
  const lines = text.split('\n').filter(l => l.trim() !== '').length;
  const rows = format === 'csv' ? Math.max(0, lines - 1) : lines;
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
  return {name, size: blob.size, rows};
}
