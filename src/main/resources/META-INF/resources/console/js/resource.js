import {getJson} from './api.js';
import {badge, field, h, note, put} from './dom.js';
import {errorNote, resourceHref} from './common.js';
import {fmtValue, inputToIso, isoToInput, plural, timeEl} from './format.js';
import {describe, described} from './names.js';
import {nameOf, statusBadges} from './find.js';
import {timelineView} from './timeline.js';
import {accessView} from './access.js';

/** #/Users/<id>/<tab> and #/Groups/<id>/<tab>: a resource's header, its tabs, and the chosen tab. */
export async function resourceView(root, type, id, tab, query) {
  const single = type === 'Users' ? 'User' : 'Group';
  const title = h('h2', {id: 'resource-title'}, `${single} ${id}`);
  const facts = h('div', {class: 'resource-facts'});
  const tabs = [['timeline', 'Timeline'], ['asof', 'As of a moment'], ...(type === 'Users' ? [['access', 'Access over time']] : [])];
  const body = h('section', {id: 'tab', 'aria-labelledby': 'resource-title'});
  put(root, 
    h('p', {class: 'crumbs'}, h('a', {href: '#/find'}, '← Find another user or group')),
    title, facts,
    h('nav', {class: 'subtabs', 'aria-label': `${single} views`}, tabs.map(([key, label]) =>
      h('a', {href: resourceHref(type, id, key), 'aria-current': key === tab ? 'page' : null}, label))),
    body);
  describe([id]).then(() => {
    const r = described(id);
    if (!r) {
      put(facts, note('error', `No ${single.toLowerCase()} with this id in your tenant's log.`,
        'Check the id, or search by name. Resources of other tenants are never shown.'));
      return;
    }
    title.textContent = nameOf(r);
    put(facts, 
      h('span', {}, r.resourceType, ' · ', h('code', {}, r.id)),
      r.externalId ? h('span', {}, ' · externalId ', h('code', {}, r.externalId)) : null, ' ',
      statusBadges(r), ' ', h('span', {class: 'muted'}, `${plural(r.version, 'event')} recorded`),
      r.erased ? note('info', 'This person was erased.',
        'Their personal data (names, e-mail addresses, …) was destroyed with their key and is shown nowhere. ',
        'The events themselves, who made each change and when, and the hash chain that proves them are intact.') : null);
  }).catch(e => put(facts, errorNote(e)));

  if (tab === 'asof') return asOfView(body, type, id, query);
  if (tab === 'access' && type === 'Users') return accessView(body, id);
  return timelineView(body, type, id, query);
}

/** The resource as it was at a moment; for a group, its members then. */
function asOfView(root, type, id, query) {
  let exact = query.get('time');
  const moment = h('input', {type: 'datetime-local', step: '0.001', required: true, value: isoToInput(exact)});
  const out = h('div', {id: 'asof'});
  moment.addEventListener('input', () => { exact = null; });
  const form = h('form', {class: 'row-form', 'aria-label': 'Choose a moment', onsubmit: e => {
    e.preventDefault();
    const iso = exact || inputToIso(moment.value);
    if (!iso) {
      put(out, note('error', 'Choose a date and time first.'));
      return;
    }
    show(iso);
  }}, field('Moment', moment, 'In the time zone shown at the top; the exact recorded time when opened from a timeline row.'),
    h('button', {type: 'submit'}, 'Show as it was'));
  put(root, h('h3', {}, 'As it was at a moment'),
    h('p', {class: 'lead'}, 'Rebuilt from the log: every change recorded at or before the moment, applied in order.'),
    form, out);
  if (exact) show(exact);
  else put(out, note('empty', 'Pick a moment to see this resource as it was then.',
    'Tip: “As of this change” on a timeline row opens the exact moment of that change.'));

  async function show(iso) {
    put(out, note('info', 'Rebuilding from the log…'));
    let answer;
    try {
      answer = await getJson(`/audit/${type}/${id}/as-of`, {time: iso});
    } catch (e) {
      if (e.status === 404) {
        put(out, note('empty', 'It did not exist at that moment.',
          'It was not yet created or already deleted then. The timeline shows when it was created and deleted.'));
      } else {
        put(out, errorNote(e));
      }
      return;
    }
    const resource = answer.resource;
    const rows = flatten(resource).filter(([k]) => !['schemas', 'id', 'members'].includes(k) && !k.startsWith('meta.'));
    const parts = [
      h('p', {role: 'status'}, 'As of ', timeEl(h, answer.asOf), `: version ${answer.version}, last changed `,
        timeEl(h, resource.meta.lastModified), ', created ', timeEl(h, resource.meta.created), '.'),
      answer.personalDataReadable === false ? note('info', 'Personal data erased',
        'This person was erased: personal values are no longer readable; the other attributes are shown.') : null,
      h('table', {class: 'grid attrs', id: 'asof-attributes'}, h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Attribute'), h('th', {scope: 'col'}, 'Value'))),
        h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', {scope: 'row'}, h('code', {}, k)), h('td', {}, fmtValue(v))))))
    ];
    if (type === 'Groups') {
      const members = resource.members || [];
      const list = h('tbody', {});
      parts.push(h('h4', {id: 'members-heading'}, `Members at that moment: ${members.length}`),
        members.length ? h('table', {class: 'grid', id: 'asof-members', 'aria-labelledby': 'members-heading'},
          h('thead', {}, h('tr', {}, ['Member', 'Kind', 'id', ''].map(t => h('th', {scope: 'col'}, t)))), list)
          : note('empty', 'The group had no members at that moment.'));
      try {
        await describe(members.map(m => m.value));
      } catch { /* names stay unknown */ }
      put(list, ...members.map(m => {
        const r = described(m.value);
        const kind = m.type || (r ? r.resourceType : 'User');
        return h('tr', {}, h('td', {}, h('a', {href: resourceHref(kind, m.value)}, r ? nameOf(r) : m.value)),
          h('td', {}, kind), h('td', {}, h('code', {}, m.value)),
          h('td', {}, h('a', {href: resourceHref(kind, m.value, 'asof', `time=${encodeURIComponent(answer.asOf)}`)}, 'As of the same moment')));
      }));
    }
    put(out, ...parts);
  }
}

/** An object's attributes as dotted paths; multi-valued attributes stay whole. */
function flatten(obj, prefix = '', out = []) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out.push([key, v]);
  }
  return out;
}

