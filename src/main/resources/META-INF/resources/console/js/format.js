// Times: the API speaks UTC ISO-8601 with up to microseconds. The console shows them in the viewer's time zone,
// or in UTC when the toggle is on, and reads the period fields in the same zone.

let utc = false;
const listeners = new Set();

export function setUtc(on) {
  utc = on;
  listeners.forEach(fn => fn());
}

export function isUtc() {
  return utc;
}

export function onZoneChange(fn) {
  listeners.add(fn);
}

export function zoneName() {
  return utc ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function parts(date) {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: utc ? 'UTC' : undefined, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short'
  });
  const p = {};
  for (const {type, value} of f.formatToParts(date)) p[type] = value;
  return p;
}

/** "2026-11-28 19:25:02.243422 UTC" (the sub-second digits as recorded). */
export function fmtTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const p = parts(date);
  const frac = (/\.(\d+)Z$/.exec(iso) || [])[1];
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${frac ? '.' + frac : ''} ${p.timeZoneName}`;
}

/** A <time> element showing the formatted time, with the exact UTC value as its machine-readable form. */
export function timeEl(h, iso) {
  return h('time', {datetime: iso, title: iso}, fmtTime(iso));
}

/** The value of a datetime-local input (read in the shown zone) as a UTC ISO string, or null when empty. */
export function inputToIso(value) {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value);
  if (!m) return null;
  const [y, mo, d, hh, mi, ss = '0', ms = '0'] = m.slice(1);
  const args = [+y, +mo - 1, +d, +hh, +mi, +ss, +ms.padEnd(3, '0')];
  const date = utc ? new Date(Date.UTC(...args)) : new Date(...args);
  return date.toISOString();
}

/** A UTC ISO string as a datetime-local value in the shown zone (to the millisecond). */
export function isoToInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = parts(date);
  const ms = String(date.getUTCMilliseconds()).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${ms}`;
}

/** A JSON value as compact text; null shows as an em dash ("absent"). */
export function fmtValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return JSON.stringify(v);
  return JSON.stringify(v);
}

export function fmtMs(ms) {
  if (ms === null || ms === undefined) return 'unknown';
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}

export function shortId(id) {
  return id ? id.slice(0, 8) + '…' : '';
}

export function plural(n, one, many = one + 's') {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** Microseconds since the epoch of a UTC ISO string (the API's precision; Date alone keeps milliseconds). */
export function micros(iso) {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso || '');
  if (!m) return Date.parse(iso) * 1000;
  return Date.parse(m[1] + 'Z') * 1000 + Number((m[2] || '').padEnd(6, '0').slice(0, 6));
}
