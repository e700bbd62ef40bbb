import {getJson} from './api.js';
import {h, note, put, s} from './dom.js';
import {errorNote, exportButtons, resourceHref} from './common.js';
import {fmtTime, plural, timeEl} from './format.js';
import {describe, described} from './names.js';
import {nameOf} from './find.js';

const WIDTH = 1000;
const LABEL = 250;
const ROW = 30;

/** A user's group memberships as bars on a time axis, one row per group and path, with the events behind them. */
export async function accessView(root, id) {
  const out = h('div', {id: 'access'});
  put(root, h('h3', {}, 'Access over time'),
    h('p', {class: 'lead'}, 'Each bar is a period of membership: solid for direct membership, striped for membership through a nested group. ',
      'Select a bar, or use the table below, to open the events that started and ended it.'),
    exportButtons('Memberships:', `/audit/Users/${id}/memberships`, {}), out);
  put(out, note('info', 'Rebuilding memberships from the log…'));
  let answer;
  try {
    answer = await getJson(`/audit/Users/${id}/memberships`);
  } catch (e) {
    put(out, errorNote(e));
    return;
  }
  const intervals = answer.memberships;
  if (!intervals.length) {
    put(out, note('empty', 'This user was never a member of any group.',
      'Memberships appear here as soon as a group lists the user (directly or through a nested group).'));
    return;
  }
  try {
    await describe(intervals.map(i => i.via).filter(Boolean));
  } catch { /* fall back to ids */ }
  const groupName = gid => {
    const r = described(gid);
    return r ? nameOf(r) : (intervals.find(i => i.groupId === gid)?.groupDisplayName || gid);
  };
  const now = new Date().toISOString();
  const rows = [];
  const rowOf = new Map();
  for (const i of intervals) {
    const key = `${i.groupId}|${i.type}|${i.via || ''}`;
    if (!rowOf.has(key)) {
      rowOf.set(key, rows.length);
      rows.push({key, groupId: i.groupId, name: i.groupDisplayName || i.groupId, type: i.type, via: i.via, bars: []});
    }
    rows[rowOf.get(key)].bars.push(i);
  }
  const start = Math.min(...intervals.map(i => Date.parse(i.from)));
  const end = Math.max(...intervals.map(i => Date.parse(i.to || now)), Date.parse(now));
  const span = Math.max(end - start, 1000);
  const x = t => LABEL + ((Date.parse(t) - start) / span) * (WIDTH - LABEL - 20);
  const span_ = b => Date.parse(b.to || now) - Date.parse(b.from);
  const height = rows.length * ROW + 50;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(f => new Date(start + f * span).toISOString());
  // within one day the ticks show the time of day and the note names the day; otherwise the date
  const sameDay = fmtTime(ticks[0]).slice(0, 10) === fmtTime(ticks[4]).slice(0, 10);
  const tickLabel = t => sameDay ? fmtTime(t).slice(11, 19) : fmtTime(t).slice(0, 10);

  const svg = s('svg', {viewBox: `0 0 ${WIDTH} ${height}`, class: 'chart timeline-chart', role: 'img', id: 'access-chart',
    'aria-labelledby': 'access-chart-title'},
    s('title', {id: 'access-chart-title'}, `Group memberships of this user: ${plural(intervals.length, 'interval')} in ${plural(rows.length, 'row')}`),
    s('defs', {}, s('pattern', {id: 'stripes', width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)'},
      s('rect', {width: 8, height: 8, class: 'stripe-bg'}), s('rect', {width: 4, height: 8, class: 'stripe-fg'}))),
    ticks.map((t, i) => s('g', {class: 'tick'}, s('line', {x1: x(t), x2: x(t), y1: 0, y2: rows.length * ROW}),
      s('text', {x: x(t), y: rows.length * ROW + 18, 'text-anchor': i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'},
        tickLabel(t)))),
    s('text', {x: LABEL, y: rows.length * ROW + 40, class: 'axis-note'}, `${sameDay ? fmtTime(ticks[0]).slice(0, 10) + ', ' : ''}time in ${fmtTime(now).split(' ').pop()}; bars running to the right edge have not ended`),
    rows.map((r, n) => s('g', {class: 'row', dataset: {group: r.groupId, type: r.type}},
      s('text', {x: 4, y: n * ROW + 19, class: 'row-label'}, clipText(r.type === 'direct' ? r.name : `${r.name} (via ${groupName(r.via)})`, 36)),
      // wider bars first, so a short interval is drawn on top of its neighbour and stays visible and clickable
      [...r.bars].sort((a, b) => span_(b) - span_(a)).map(b => s('a', {href: resourceHref('Groups', r.type === 'direct' ? b.groupId : b.via, 'timeline', `time=${encodeURIComponent(b.from)}`),
        'aria-label': `${r.name}, ${r.type}, from ${fmtTime(b.from)} ${b.to ? 'to ' + fmtTime(b.to) : '(still a member)'}`},
        s('rect', {class: `bar bar-${r.type}`, x: x(b.from).toFixed(1), y: n * ROW + 6, height: ROW - 12,
          width: Math.max(3, x(b.to || now) - x(b.from)).toFixed(1),
          dataset: {group: b.groupId, type: b.type, from: b.from, to: b.to || ''}},
          s('title', {}, `${r.name} (${r.type}${b.via ? ' via ' + groupName(b.via) : ''}): ${fmtTime(b.from)} → ${b.to ? fmtTime(b.to) : 'still a member'}`)))))));

  const eventLinks = (i, t) => {
    if (!t) return h('span', {class: 'muted'}, 'still a member');
    const q = `time=${encodeURIComponent(t)}`;
    if (i.type === 'direct') {
      return [timeEl(h, t), ' ', h('a', {href: resourceHref('Groups', i.groupId, 'timeline', q)}, 'event in the group'),
        ' · ', h('a', {href: resourceHref('Users', id, 'timeline', q)}, 'in the user')];
    }
    return [timeEl(h, t), ' ', h('a', {href: resourceHref('Groups', i.via, 'timeline', q)}, `event in ${groupName(i.via)}`),
      ' or ', h('a', {href: resourceHref('Groups', i.groupId, 'timeline', q)}, `in ${i.groupDisplayName || 'the group'}`)];
  };
  put(out, 
    h('p', {role: 'status'}, `${plural(intervals.length, 'membership interval')} in ${plural(rows.length, 'group path')}.`),
    h('div', {class: 'legend'}, h('span', {class: 'key key-direct'}), ' direct ', h('span', {class: 'key key-indirect'}), ' through a nested group'),
    h('div', {class: 'chart-wrap'}, svg),
    h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'access-table'},
      h('thead', {}, h('tr', {}, ['Group', 'How', 'Started', 'Ended'].map(t => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, intervals.map(i => h('tr', {},
        h('td', {}, h('a', {href: resourceHref('Groups', i.groupId)}, i.groupDisplayName || i.groupId)),
        h('td', {}, i.type === 'direct' ? 'direct' : ['nested, via ', h('a', {href: resourceHref('Groups', i.via)}, groupName(i.via))]),
        h('td', {}, eventLinks(i, i.from)),
        h('td', {}, eventLinks(i, i.to))))))));
}

function clipText(text, n) {
  return text.length > n ? text.slice(0, n - 1) + '…' : text;
}
