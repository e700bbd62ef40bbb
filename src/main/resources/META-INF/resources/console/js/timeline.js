import {getJson} from './api.js';
import {badge, field, h, note, put} from './dom.js';
import {errorNote, exportButtons, pager, resourceHref} from './common.js';
import {fmtValue, inputToIso, isoToInput, micros, plural, shortId, timeEl} from './format.js';
import {describe, described} from './names.js';
import {nameOf} from './find.js';

const PAGE = 50;
const CHUNK = 1000;
export const MAX_LOADED = 100000;

// One loaded history per resource: fetched in chunks of 1000 in the background while the first page is already
// shown; only one page of rows (50) is ever in the DOM, so a history of 10,000 events stays responsive.
const histories = new Map();

export function forgetHistories() {
  histories.clear();
}

function history(type, id) {
  const key = `${type}/${id}`;
  let entry = histories.get(key);
  if (!entry) {
    histories.clear();
    entry = {events: [], done: false, error: null, listeners: new Set()};
    histories.set(key, entry);
    (async () => {
      let after = 0;
      try {
        while (true) {
          const page = await getJson(`/audit/${type}/${id}/history`, {after, limit: CHUNK});
          entry.events.push(...page.events);
          if (page.nextAfter === undefined || entry.events.length >= MAX_LOADED) {
            entry.truncated = page.nextAfter !== undefined;
            break;
          }
          after = page.nextAfter;
          entry.listeners.forEach(fn => fn());
        }
      } catch (e) {
        entry.error = e;
      }
      entry.done = true;
      entry.listeners.forEach(fn => fn());
    })();
  }
  return entry;
}

/** Loads the whole history (for views that need every event, e.g. jumping to a time). */
export function historyOf(type, id) {
  return history(type, id);
}

function matchesAttribute(event, attr) {
  if (!attr) return true;
  const a = attr.toLowerCase();
  const names = [...(event.changed || []), ...(event.changes || []).map(c => c.attribute)];
  return names.some(n => n.toLowerCase() === a || n.toLowerCase().startsWith(a + '.') || n.toLowerCase().endsWith(':' + a));
}

/**
 * The timeline of one resource. query: position=<n> or time=<iso> highlights that event (time: the first event at
 * or after it); from/to/attribute filter.
 */
export function timelineView(root, type, id, query, header) {
  const entry = history(type, id);
  const state = {page: 0, from: query.get('from'), to: query.get('to'), attribute: query.get('attribute') || '',
    target: query.get('position') ? Number(query.get('position')) : null, targetTime: query.get('time'), jumped: false};

  const from = h('input', {type: 'datetime-local', step: '0.001', value: isoToInput(state.from)});
  const to = h('input', {type: 'datetime-local', step: '0.001', value: isoToInput(state.to)});
  const attribute = h('input', {type: 'text', list: 'attribute-names', value: state.attribute, autocomplete: 'off',
    placeholder: 'e.g. active, members, title'});
  const names = h('datalist', {id: 'attribute-names'});
  const form = h('form', {class: 'row-form', 'aria-label': 'Filter the timeline', onsubmit: e => {
    e.preventDefault();
    state.from = inputToIso(from.value);
    state.to = inputToIso(to.value);
    state.attribute = attribute.value.trim();
    state.page = 0;
    draw();
  }}, field('From', from), field('To (excluded)', to), field('Attribute', attribute), names,
    h('button', {type: 'submit'}, 'Apply filter'),
    h('button', {type: 'button', class: 'secondary', onclick: () => {
      from.value = to.value = attribute.value = '';
      state.from = state.to = null;
      state.attribute = '';
      state.page = 0;
      draw();
    }}, 'Clear filter'));
  const status = h('p', {role: 'status', class: 'status', id: 'timeline-status'});
  const table = h('div', {id: 'timeline'});
  const exports = exportButtons('Whole history:', `/audit/${type}/${id}/history`, {});
  put(root, h('h3', {}, 'Timeline'),
    h('p', {class: 'lead'}, 'Every recorded change, oldest first: who asked, through which request, and each attribute before → after.'),
    form, exports, status, table);

  function filtered() {
    return entry.events.filter(e => (!state.from || micros(e.occurredAt) >= micros(state.from))
      && (!state.to || micros(e.occurredAt) < micros(state.to))
      && matchesAttribute(e, state.attribute));
  }

  function draw() {
    if (!root.isConnected) {
      entry.listeners.delete(draw);
      return;
    }
    const seen = new Set();
    entry.events.forEach(e => (e.changes || []).forEach(c => seen.add(c.attribute.split('.')[0])));
    if (seen.size !== names.childElementCount) put(names, ...[...seen].sort().map(n => h('option', {value: n})));
    if (entry.error && !entry.events.length) {
      status.textContent = '';
      put(table, errorNote(entry.error));
      return;
    }
    const rows = filtered();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    let highlight = null;
    if (!state.jumped && (state.target !== null || state.targetTime)) {
      const index = state.target !== null ? rows.findIndex(e => e.position === state.target)
        : rows.findIndex(e => micros(e.occurredAt) >= micros(state.targetTime));
      if (index >= 0) {
        state.page = Math.floor(index / PAGE);
        highlight = rows[index].position;
        state.jumped = true;
        state.highlight = highlight;
      } else if (entry.done) {
        state.jumped = true;
      }
    }
    highlight = state.highlight ?? null;
    state.page = Math.min(state.page, pages - 1);
    const slice = rows.slice(state.page * PAGE, state.page * PAGE + PAGE);
    const loading = entry.done ? (entry.truncated ? ` (the first ${plural(entry.events.length, 'event')} are loaded; export for the rest)` : '')
      : ` (loading… ${plural(entry.events.length, 'event')} so far)`;
    const filterText = state.from || state.to || state.attribute ? ` matching the filter, of ${plural(entry.events.length, 'event')}` : '';
    status.textContent = rows.length
      ? `Events ${(state.page * PAGE + 1).toLocaleString('en')}–${(state.page * PAGE + slice.length).toLocaleString('en')} of ${rows.length.toLocaleString('en')}${filterText}${loading}.`
      : (entry.done ? '' : `Loading${loading}`);
    if (!rows.length) {
      put(table, entry.done
        ? note('empty', 'No event matches this filter.', 'Widen the period or clear the attribute filter.')
        : note('info', 'Loading the history…'));
      return;
    }
    const errorAfter = entry.error ? errorNote(entry.error) : null;
    const go = p => {
      state.page = p;
      state.highlight = null;
      draw();
      table.querySelector('tbody tr')?.focus();
    };
    put(table, pager(state.page, pages, go),
      h('div', {class: 'scroll'}, h('table', {class: 'grid timeline'},
        h('thead', {}, h('tr', {}, ['When', 'Change', 'Who asked', 'Request', 'Before → after', ''].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, slice.map(e => eventRow(type, id, e, e.position === highlight))))),
      pager(state.page, pages, go), errorAfter);
    nameMembers(slice, table);
    if (highlight !== null) {
      const row = table.querySelector('tr.highlight');
      row?.scrollIntoView({block: 'center'});
      row?.focus();
    }
  }

  entry.listeners.add(draw);
  draw();
  header?.();
}

function eventRow(type, id, e, highlighted) {
  const erased = e.personalDataReadable === false;
  return h('tr', {class: highlighted ? 'highlight' : null, tabindex: '-1', id: `event-${e.position}`,
    dataset: {position: e.position, type: e.type}},
    h('td', {}, timeEl(h, e.occurredAt), h('div', {class: 'muted'}, `version ${e.version}`)),
    h('td', {}, h('strong', {}, e.type), erased ? h('div', {}, badge('erased', 'personal data erased')) : null),
    h('td', {}, h('div', {}, e.actor?.subject || '—'), h('div', {class: 'muted'}, `client ${e.actor?.clientId || '—'}`)),
    h('td', {}, h('code', {class: 'wrap'}, e.requestId || '—'), h('div', {class: 'muted'}, e.clientAddress || '')),
    h('td', {class: 'changes'}, changeList(e)),
    h('td', {}, e.type.endsWith('Deleted') || e.type === 'UserErased' ? null
      : h('a', {href: resourceHref(type, id, 'asof', `time=${encodeURIComponent(e.occurredAt)}`)}, 'As of this change'),
      h('details', {}, h('summary', {}, 'Details'), h('dl', {class: 'facts'},
        h('dt', {}, 'Event'), h('dd', {}, h('code', {}, e.eventId)),
        h('dt', {}, 'Position'), h('dd', {}, String(e.position)),
        h('dt', {}, 'Transaction'), h('dd', {}, h('code', {}, e.txn)),
        h('dt', {}, 'Request as sent'), h('dd', {}, h('code', {class: 'wrap'}, JSON.stringify(e.request || {})))))));
}

function changeList(e) {
  const changes = e.changes || [];
  if (!changes.length) {
    return h('span', {class: 'muted'}, e.type === 'UserErased' ? 'person erased: personal data destroyed, events kept'
      : e.type.endsWith('Deleted') ? 'deleted' : 'no attribute changed');
  }
  return h('ul', {class: 'changes'}, changes.map(c => {
    if (c.attribute === 'members') {
      const added = c.added !== undefined;
      const list = c.added || c.removed || [];
      return h('li', {}, h('code', {}, 'members'), added ? ' added: ' : ' removed: ',
        list.map((m, i) => [i ? ', ' : '', h('a', {href: resourceHref(m.type || 'User', m.value), class: 'member', dataset: {id: m.value}},
          shortId(m.value))]),
        c.reason ? h('span', {class: 'muted'}, ` (${c.reason === 'memberDeleted' ? 'the member was deleted'
          : c.reason === 'memberErased' ? 'the member was erased' : c.reason})`) : null);
    }
    return h('li', {}, h('code', {}, c.attribute), ': ', h('span', {class: 'before'}, clip(fmtValue(c.before))), ' → ',
      h('span', {class: 'after'}, clip(fmtValue(c.after))));
  }));
}

function clip(text) {
  return text.length > 160 ? h('span', {title: text}, text.slice(0, 157) + '…') : text;
}

/** Replaces member ids on the page by names, once the log has told them. */
async function nameMembers(events, table) {
  const ids = [...table.querySelectorAll('a.member')].map(a => a.dataset.id);
  if (!ids.length) return;
  try {
    await describe(ids);
  } catch {
    return; // ids stay shown; the error would repeat elsewhere
  }
  table.querySelectorAll('a.member').forEach(a => {
    const r = described(a.dataset.id);
    if (r) a.textContent = nameOf(r);
  });
}
