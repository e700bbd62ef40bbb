import {getJson, signIn, signOut, signedIn, tokenClaims} from './api.js';
import {field, h, note, put} from './dom.js';
import {errorNote} from './common.js';
import {onZoneChange, setUtc, zoneName} from './format.js';
import {findView, forgetSearch} from './find.js';
import {forgetNames} from './names.js';
import {forgetHistories} from './timeline.js';
import {resourceView} from './resource.js';
import {changesView, deprovisioningView} from './reports.js';
import {integrityView} from './integrity.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const session = document.getElementById('session');
const who = document.getElementById('who');
const utcToggle = document.getElementById('utc');

function signInView() {
  const token = h('textarea', {rows: 4, required: true, autocomplete: 'off', spellcheck: 'false', class: 'token',
    placeholder: 'eyJhbGciOi…'});
  const problem = h('div', {id: 'signin-problem'});
  const submit = h('button', {type: 'submit'}, 'Sign in');
  const form = h('form', {id: 'signin', onsubmit: async e => {
    e.preventDefault();
    if (!token.value.trim()) {
      put(problem, note('error', 'Paste a token first.'));
      return;
    }
    submit.disabled = true;
    signIn(token.value);
    try {
      // A cheap call that needs audit:read: looks up an id no resource has.
      await getJson('/audit/search', {id: '00000000-0000-0000-0000-000000000000'});
    } catch (err) {
      signOut();
      submit.disabled = false;
      put(problem, errorNote(err));
      return;
    }
    token.value = '';
    started();
  }}, field('Bearer token with the audit:read scope', token,
    'It stays in this page\'s memory only (never stored, never in a URL). Reloading the page signs you out.'),
    submit, problem);
  put(main, h('h2', {}, 'Sign in'),
    h('p', {class: 'lead'}, 'The console answers an auditor\'s questions from the service\'s tamper-evident event log: ',
      'who changed what and when, who had access when, how fast people were deprovisioned, and whether the log is intact.'),
    form);
  token.focus();
}

function started() {
  const c = tokenClaims() || {};
  put(who, 'Tenant ', h('strong', {id: 'tenant'}, c.tenant || '?'), ` · ${c.sub || 'unknown subject'}`);
  session.hidden = false;
  nav.hidden = false;
  if (!location.hash || location.hash === '#' || location.hash === '#/') location.hash = '#/find';
  else route();
}

document.getElementById('signout').addEventListener('click', () => {
  signOut();
  forgetSearch();
  forgetNames();
  forgetHistories();
  session.hidden = true;
  nav.hidden = true;
  history.replaceState(null, '', location.pathname);
  signInView();
});

utcToggle.addEventListener('change', () => setUtc(utcToggle.checked));
onZoneChange(() => route());

function route() {
  if (!signedIn()) {
    signInView();
    return;
  }
  const [path, queryText = ''] = location.hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(queryText);
  const parts = path.split('/').filter(Boolean);
  const section = parts[0] === 'Users' || parts[0] === 'Groups' ? 'find' : parts[0] || 'find';
  nav.querySelectorAll('a').forEach(a => a.setAttribute('aria-current', a.dataset.section === section ? 'page' : 'false'));
  document.title = `SCIM Ledger · ${section} · auditor's console`;
  main.dataset.zone = zoneName();
  try {
    if (parts[0] === 'Users' || parts[0] === 'Groups') {
      if (!/^[0-9a-fA-F-]{36}$/.test(parts[1] || '')) {
        put(main, note('error', 'That is not a resource id.', 'Search by name instead.'));
        return;
      }
      resourceView(main, parts[0], parts[1], parts[2] || 'timeline', query);
    } else if (section === 'deprovisionings') {
      deprovisioningView(main);
    } else if (section === 'changes') {
      changesView(main);
    } else if (section === 'integrity') {
      integrityView(main);
    } else {
      findView(main);
    }
  } catch (e) {
    put(main, errorNote(e));
  }
}

window.addEventListener('hashchange', () => {
  main.focus({preventScroll: true});
  route();
});
route();
