import {getJson} from './api.js';
import {field, h, note, put, s} from './dom.js';
import {errorNote, exportButtons, pager, resourceHref} from './common.js';
import {fmtMs, inputToIso, isoToInput, plural, shortId, timeEl} from './format.js';
import {describe, described} from './names.js';
import {nameOf} from './find.js';

const PAGE = 50;
const MAX_ROWS = 50000;
// Latency buckets in milliseconds: wide on purpose, from "within the request" to "minutes".
const BINS = [[0, 5, '< 5 ms'], [5, 10, '5–10 ms'], [10, 25, '10–25 ms'], [25, 50, '25–50 ms'], [50, 100, '50–100 ms'],
  [100, 250, '0.1–0.25 s'], [250, 1000, '0.25–1 s'], [1000, 5000, '1–5 s'], [5000, 30000, '5–30 s'], [30000, Infinity, '≥ 30 s']];

function periodFields(state) {
  const from = h('input', {type: 'datetime-local', step: '0.001', value: isoToInput(state.from)});
  const to = h('input', {type: 'datetime-local', step: '0.001', value: isoToInput(state.to)});
  return {from, to, read() {
    state.from = inputToIso(from.value);
    state.to = inputToIso(to.value);
  }, fields: [field('From', from, 'Empty: since the beginning'), field('To (excluded)', to, 'Empty: until now')]};
}

const deprov = {from: null, to: null};

/** Deactivations and deletions in a period, their latency as a histogram, the slowest ones, and all of them. */
export function deprovisioningView(root) {
  const period = periodFields(deprov);
  const out = h('div', {id: 'deprov'});
  const form = h('form', {class: 'row-form', 'aria-label': 'Report period', onsubmit: e => {
    e.preventDefault();
    period.read();
    run();
  }}, period.fields, h('button', {type: 'submit'}, 'Run report'));
  put(root, h('h2', {}, 'Deprovisioning report'),
    h('p', {class: 'lead'}, 'Every user deactivated (active set to false) or deleted in the period, and how long each took from the moment the identity provider\'s request reached this service until it took effect.'),
    form, exportButtons('This period:', '/audit/deprovisionings', () => ({from: deprov.from, to: deprov.to})), out);
  run();

  async function run() {
    put(out, note('info', 'Reading deprovisionings from the log…'));
    const rows = [];
    let after = 0;
    try {
      while (rows.length < MAX_ROWS) {
        const page = await getJson('/audit/deprovisionings', {from: deprov.from, to: deprov.to, after, limit: 1000});
        rows.push(...page.deprovisionings);
        if (page.nextAfter === undefined) break;
        after = page.nextAfter;
      }
    } catch (e) {
      put(out, errorNote(e));
      return;
    }
    if (!rows.length) {
      put(out, note('empty', 'No user was deactivated or deleted in this period.',
        'Widen the period (leave both fields empty for the whole log).'));
      return;
    }
    try {
      await describe(rows.map(r => r.userId).slice(0, 2000));
    } catch { /* ids only */ }
    const known = rows.filter(r => r.latencyMs !== null && r.latencyMs !== undefined);
    const sorted = known.map(r => r.latencyMs).sort((a, b) => a - b);
    const q = p => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
    const deleted = rows.filter(r => r.type === 'deleted').length;
    const slowest = [...known].sort((a, b) => b.latencyMs - a.latencyMs).slice(0, 10);
    const state = {page: 0};
    const all = h('div', {id: 'deprov-all'});
    const drawAll = () => {
      const pages = Math.ceil(rows.length / PAGE);
      put(all, pager(state.page, pages, p => { state.page = p; drawAll(); }),
        table(rows.slice(state.page * PAGE, state.page * PAGE + PAGE), 'deprov-table'));
    };
    drawAll();
    put(out, 
      h('p', {role: 'status', id: 'deprov-summary'}, `${plural(rows.length, 'deprovisioning')}: ${plural(rows.length - deleted, 'deactivation')}, ${plural(deleted, 'deletion')}. `,
        sorted.length ? `Latency: median ${fmtMs(q(0.5))}, 95th percentile ${fmtMs(q(0.95))}, slowest ${fmtMs(sorted[sorted.length - 1])}.` : '',
        rows.length > known.length ? ` ${plural(rows.length - known.length, 'event')} without a recorded receipt time (not in the chart).` : '',
        rows.length >= MAX_ROWS ? ` Only the first ${MAX_ROWS.toLocaleString('en')} are shown: export the period for all.` : ''),
      h('h3', {}, 'How long deprovisioning took'), histogram(known),
      h('h3', {}, 'Slowest'), slowest.length ? table(slowest, 'deprov-slowest') : note('empty', 'No latency was recorded for these events.'),
      h('h3', {}, 'All deprovisionings'), all);
  }
}

function histogram(rows) {
  const counts = BINS.map(([lo, hi]) => rows.filter(r => r.latencyMs >= lo && r.latencyMs < hi).length);
  const max = Math.max(1, ...counts);
  const W = 1000, H = 260, left = 50, bottom = 50, top = 20;
  const bw = (W - left - 10) / BINS.length;
  const label = bin => bin[2];
  return h('div', {class: 'chart-wrap'}, s('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart histogram', id: 'latency-histogram',
    role: 'img', 'aria-labelledby': 'hist-title'},
    s('title', {id: 'hist-title'}, `Latency of ${plural(rows.length, 'deprovisioning')}: ${BINS.map((b, i) => `${label(b)}: ${counts[i]}`).join('; ')}`),
    s('line', {x1: left, x2: W - 10, y1: H - bottom, y2: H - bottom, class: 'axis'}),
    s('text', {x: 4, y: top, class: 'axis-note'}, 'count'),
    BINS.map((b, i) => {
      const bh = (counts[i] / max) * (H - bottom - top);
      const x = left + i * bw;
      return s('g', {class: 'bin'},
        s('rect', {class: 'bar', x: (x + 4).toFixed(1), y: (H - bottom - bh).toFixed(1), width: (bw - 8).toFixed(1), height: bh.toFixed(1),
          dataset: {bin: label(b), count: counts[i]}}, s('title', {}, `${label(b)}: ${counts[i]}`)),
        s('text', {x: x + bw / 2, y: H - bottom - bh - 4, 'text-anchor': 'middle', class: 'count'}, counts[i] ? String(counts[i]) : ''),
        s('text', {x: x + bw / 2, y: H - bottom + 18, 'text-anchor': 'middle', class: 'bin-label'}, label(b)));
    }),
    s('text', {x: W / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-note'}, 'from the request reaching this service to its effect')));
}

function table(rows, id) {
  return h('div', {class: 'scroll'}, h('table', {class: 'grid', id},
    h('thead', {}, h('tr', {}, ['When', 'User', 'What', 'Latency', 'Who asked', 'Request'].map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, rows.map(r => {
      const u = described(r.userId);
      return h('tr', {},
        h('td', {}, timeEl(h, r.occurredAt)),
        h('td', {}, h('a', {href: resourceHref('Users', r.userId, 'timeline', `position=${r.position}`)}, u ? nameOf(u) : shortId(r.userId))),
        h('td', {}, r.type === 'deleted' ? 'deleted' : 'deactivated', h('div', {class: 'muted'}, r.eventType)),
        h('td', {class: 'num'}, fmtMs(r.latencyMs)),
        h('td', {}, r.actor || '—', h('div', {class: 'muted'}, `client ${r.clientId || '—'}`)),
        h('td', {}, h('code', {class: 'wrap'}, r.requestId || '—')));
    }))));
}

const changes = {subject: '', clientId: '', from: null, to: null};

/** Everything one token subject or OAuth client changed in a period, page by page (server-side cursors). */
export function changesView(root) {
  const subject = h('input', {type: 'text', value: changes.subject, autocomplete: 'off', placeholder: 'e.g. entra-provisioning'});
  const clientId = h('input', {type: 'text', value: changes.clientId, autocomplete: 'off'});
  const period = periodFields(changes);
  const out = h('div', {id: 'changes'});
  const form = h('form', {class: 'row-form', 'aria-label': 'Actor and period', onsubmit: e => {
    e.preventDefault();
    changes.subject = subject.value.trim();
    changes.clientId = clientId.value.trim();
    period.read();
    cursors = [0];
    run(0);
  }}, field('Token subject (sub)', subject), field('OAuth client id', clientId), period.fields, h('button', {type: 'submit'}, 'Show changes'));
  let cursors = [0];
  const params = () => ({subject: changes.subject, clientId: changes.clientId, from: changes.from, to: changes.to});
  put(root, h('h2', {}, 'Changes by actor'),
    h('p', {class: 'lead'}, 'Every change one identity made: give the token subject, the OAuth client, or both. The timeline of each resource shows the values before and after.'),
    form, exportButtons('This actor and period:', '/audit/changes', params), out);
  if (changes.subject || changes.clientId) run(0);
  else put(out, note('empty', 'Enter a token subject or an OAuth client id.',
    'They are shown as “Who asked” on every timeline row and in the deprovisioning report.'));

  async function run(n) {
    put(out, note('info', 'Reading the log…'));
    let page;
    try {
      page = await getJson('/audit/changes', {...params(), after: cursors[n], limit: PAGE});
    } catch (e) {
      put(out, errorNote(e));
      return;
    }
    if (page.nextAfter !== undefined) cursors[n + 1] = page.nextAfter;
    const events = page.events;
    if (!events.length) {
      put(out, note('empty', 'This actor changed nothing in this period.',
        'Check the spelling (subjects and client ids are exact), or widen the period.'));
      return;
    }
    try {
      await describe(events.map(e => e.resourceId));
    } catch { /* ids only */ }
    const more = page.nextAfter !== undefined;
    const nav = h('nav', {class: 'pager', 'aria-label': 'Changes navigation'},
      h('button', {type: 'button', class: 'secondary', disabled: n === 0, onclick: () => run(n - 1)}, '‹ Previous'),
      h('span', {class: 'pageinfo'}, `Page ${n + 1}${more ? '' : ' (last)'}`),
      h('button', {type: 'button', class: 'secondary', disabled: !more, onclick: () => run(n + 1)}, 'Next ›'));
    put(out, h('p', {role: 'status'}, `Changes ${n * PAGE + 1}–${n * PAGE + events.length}${more ? ', more follow' : ''}.`), nav,
      h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'changes-table'},
        h('thead', {}, h('tr', {}, ['When', 'Resource', 'Change', 'Attributes', 'Who', 'Request'].map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, events.map(e => {
          const r = described(e.resourceId);
          return h('tr', {},
            h('td', {}, timeEl(h, e.occurredAt)),
            h('td', {}, e.resourceType, ' ', h('a', {href: resourceHref(e.resourceType, e.resourceId, 'timeline', `position=${e.position}`)},
              r ? nameOf(r) : shortId(e.resourceId))),
            h('td', {}, e.type, h('div', {class: 'muted'}, `version ${e.version}`)),
            h('td', {}, (e.changed || []).join(', ') || '—'),
            h('td', {}, e.actor.subject || '—', h('div', {class: 'muted'}, `client ${e.actor.clientId || '—'}`)),
            h('td', {}, h('code', {class: 'wrap'}, e.requestId || '—')));
        })))));
  }
}
