// Tiny DOM helpers: elements are built with properties and text nodes, never from HTML strings, so nothing read
// from the log (names, request ids, attribute values) can inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** h('a', {href: '#x', class: 'c', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  return fill(el, attrs, children);
}

/** The same for SVG elements. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  return fill(el, attrs, children);
}

function fill(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children; like h(), arrays are flattened and null/false skipped. */
export function put(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A message box: kind is 'error', 'empty', 'info' or 'ok'. Errors are announced to screen readers. */
export function note(kind, title, ...body) {
  return h('div', {class: `note note-${kind}`, role: kind === 'error' ? 'alert' : 'status'},
    title ? h('strong', {}, title) : null, body.length ? h('div', {}, body) : null);
}

export function badge(kind, text) {
  return h('span', {class: `badge badge-${kind}`}, text);
}

/** A labelled form field. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return h('div', {class: 'field'}, h('label', {for: id}, label), input, hint ? h('small', {}, hint) : null);
}
