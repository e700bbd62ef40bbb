import {getJson} from './api.js';
import {badge, field, h, note, put} from './dom.js';
import {errorNote, resourceHref} from './common.js';
import {fmtTime, plural, timeEl} from './format.js';

// Kept in memory (not in the URL): what the reviewer last searched for, so "back" shows the same results.
let last = {q: '', type: '', results: null, cont: null, scanned: 0};

export function forgetSearch() {
  last = {q: '', type: '', results: null, cont: null, scanned: 0};
}

export function statusBadges(r) {
  const out = [];
  if (r.erased) out.push(badge('erased', 'erased'));
  if (r.deleted) out.push(badge('deleted', `deleted ${fmtTime(r.deletedAt)}`));
  if (!r.deleted && !r.erased && r.active === false) out.push(badge('inactive', 'inactive'));
  if (!r.deleted && !r.erased && r.active !== false) out.push(badge('live', 'exists'));
  return out;
}

export function nameOf(r) {
  if (r.resourceType === 'User') {
    if (r.personalDataReadable === false) return 'Erased person (personal data destroyed)';
    return r.userName || r.displayName || '(no userName)';
  }
  return r.displayName || '(no displayName)';
}

export async function findView(root) {
  const q = h('input', {type: 'search', name: 'q', required: true, autocomplete: 'off', value: last.q,
    placeholder: 'e.g. ada, Pilots, HR-1042 or an id'});
  const type = h('select', {name: 'type'}, h('option', {value: ''}, 'Users and groups'),
    h('option', {value: 'Users'}, 'Users'), h('option', {value: 'Groups'}, 'Groups'));
  type.value = last.type;
  const out = h('div', {id: 'results'});
  const form = h('form', {class: 'row-form', role: 'search', onsubmit: async e => {
    e.preventDefault();
    last = {q: q.value.trim(), type: type.value, results: [], cont: null, scanned: 0};
    await more();
  }}, field('userName, displayName, externalId or id', q), field('Kind', type),
    h('button', {type: 'submit'}, 'Search'));

  async function more() {
    put(out, note('info', 'Searching the log…'));
    try {
      const answer = await getJson('/audit/search', {q: last.q, type: last.type, continue: last.cont});
      last.results.push(...answer.resources);
      last.cont = answer.complete ? null : answer.continue;
      last.scanned += answer.scanned;
      show();
    } catch (e) {
      put(out, errorNote(e));
    }
  }

  function show() {
    const rows = last.results;
    const parts = [];
    if (!rows.length) {
      parts.push(note('empty', `Nothing in this tenant's log matches “${last.q}”.`,
        'Try a shorter part of the name, the externalId, or paste the SCIM id. An erased person can only be found by ',
        'id or externalId: their names were destroyed.'));
    } else {
      parts.push(h('p', {role: 'status'}, `${plural(rows.length, 'match', 'matches')} (deleted and erased ones included).`));
      parts.push(h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'search-results'},
        h('thead', {}, h('tr', {}, ['Kind', 'Name', 'externalId', 'id', 'Status', 'Last change'].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, rows.map(r => h('tr', {},
          h('td', {}, r.resourceType),
          h('td', {}, h('a', {href: resourceHref(r.resourceType, r.id)}, nameOf(r))),
          h('td', {}, r.externalId || '—'),
          h('td', {}, h('code', {}, r.id)),
          h('td', {}, statusBadges(r)),
          h('td', {}, timeEl(h, r.lastEventAt))))))));
    }
    if (last.cont) {
      parts.push(h('p', {}, `Stopped after ${plural(last.scanned, 'resource')} to stay quick. `,
        h('button', {type: 'button', class: 'secondary', onclick: more}, 'Search further')));
    }
    put(out, ...parts);
  }

  put(root, 
    h('h2', {}, 'Find a user or group'),
    h('p', {class: 'lead'}, 'Searches the event log, so users and groups that were deleted, and people who were erased, are found too.'),
    form, out);
  if (last.results) show();
  q.focus();
}
