import {ApiError, download} from './api.js';
import {h, note, put} from './dom.js';
import {plural} from './format.js';

/** An error as a person should read it: what happened and what to do. */
export function errorNote(e) {
  if (e instanceof ApiError) {
    return note('error', e.title, e.advice, e.detail ? h('div', {class: 'detail'}, `Service said: ${e.detail}`) : null);
  }
  return note('error', 'Something went wrong in the console', String(e && e.message || e),
    ' Reload the page and sign in again.');
}

/** CSV and NDJSON buttons for one of the streamed exports; the result (file, rows, size) is announced. */
export function exportButtons(label, path, params) {
  const status = h('span', {class: 'export-status', role: 'status'});
  const run = format => async () => {
    status.textContent = `Preparing ${format.toUpperCase()}…`;
    try {
      const {name, size, rows} = await download(path, typeof params === 'function' ? params() : params, format);
      status.textContent = `Saved ${name}: ${plural(rows, 'row')}, ${size.toLocaleString('en')} bytes.`;
    } catch (e) {
      put(status, errorNote(e));
    }
  };
  return h('div', {class: 'export'}, h('span', {}, label),
    h('button', {type: 'button', class: 'secondary', onclick: run('csv')}, 'Export CSV'),
    h('button', {type: 'button', class: 'secondary', onclick: run('ndjson')}, 'Export NDJSON'), status);
}

/** Previous / page x of y / next controls. */
export function pager(page, pages, go, what = 'Page') {
  return h('nav', {class: 'pager', 'aria-label': `${what} navigation`},
    h('button', {type: 'button', class: 'secondary', disabled: page <= 0, onclick: () => go(0)}, '« First'),
    h('button', {type: 'button', class: 'secondary', disabled: page <= 0, onclick: () => go(page - 1)}, '‹ Previous'),
    h('span', {class: 'pageinfo'}, `${what} ${page + 1} of ${Math.max(pages, 1)}`),
    h('button', {type: 'button', class: 'secondary', disabled: page >= pages - 1, onclick: () => go(page + 1)}, 'Next ›'),
    h('button', {type: 'button', class: 'secondary', disabled: page >= pages - 1, onclick: () => go(pages - 1)}, 'Last »'));
}

export function resourceHref(type, id, tab = 'timeline', query = '') {
  return `#/${type === 'User' || type === 'Users' ? 'Users' : 'Groups'}/${id}/${tab}${query ? '?' + query : ''}`;
}
