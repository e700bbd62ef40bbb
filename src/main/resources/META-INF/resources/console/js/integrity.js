import {getJson} from './api.js';
import {h, note, put} from './dom.js';
import {errorNote, resourceHref} from './common.js';
import {plural, timeEl} from './format.js';
import {describe, described, forgetNames} from './names.js';
import {forgetHistories} from './timeline.js';
import {nameOf} from './find.js';

/** The chain verification of the tenant's log and the signed checkpoints, re-run on demand. */
export function integrityView(root) {
  const banner = h('div', {id: 'integrity-banner'});
  const chain = h('section', {id: 'chain', 'aria-labelledby': 'chain-h'});
  const checkpoints = h('section', {id: 'checkpoints', 'aria-labelledby': 'cp-h'});
  const rerun = h('button', {type: 'button', id: 'rerun', onclick: run}, 'Re-run verification');
  put(root, h('h2', {}, 'Integrity of the log'),
    h('p', {class: 'lead'}, 'Recomputes the hash chain of every user and group of your tenant, and checks the signed checkpoints over the whole log. ',
      'A broken link means an event was changed, removed or reordered after it was written.'),
    h('p', {}, rerun, ' ', h('span', {id: 'verified-at', role: 'status'})),
    banner, chain, checkpoints);
  run();

  async function run() {
    // a re-run is a fresh look: histories and names read before are read again when next opened
    forgetHistories();
    forgetNames();
    rerun.disabled = true;
    put(banner);
    put(chain, h('h3', {id: 'chain-h'}, 'Hash chains of this tenant'), note('info', 'Verifying every event…'));
    put(checkpoints, h('h3', {id: 'cp-h'}, 'Signed checkpoints'), note('info', 'Verifying checkpoints…'));
    const [c, v, key] = await Promise.allSettled([getJson('/audit/verify'), getJson('/audit/verify/checkpoints'),
      getJson('/audit/checkpoints/key')]);
    rerun.disabled = false;
    put(document.getElementById('verified-at'), 'Last run ', timeEl(h, new Date().toISOString()), '.');
    const alarms = [];
    if (c.status === 'rejected') {
      put(chain, h('h3', {id: 'chain-h'}, 'Hash chains of this tenant'), errorNote(c.reason));
    } else if (c.value.intact) {
      put(chain, h('h3', {id: 'chain-h'}, 'Hash chains of this tenant'),
        note('ok', 'Intact.', `All ${plural(c.value.eventsChecked, 'event')} of ${plural(c.value.streams, 'user and group', 'users and groups')} verify: every link holds and every event matches its hash.`));
    } else {
      const b = c.value.firstBrokenLink;
      let r = null;
      try {
        await describe([b.streamId]);
        r = described(b.streamId);
      } catch { /* named by id only */ }
      const what = r ? `${r.resourceType.toLowerCase()} “${nameOf(r)}”` : `resource ${b.streamId}`;
      alarms.push(h('div', {class: 'alarm', role: 'alert', id: 'broken-chain', tabindex: '-1'},
        h('strong', {}, 'BROKEN CHAIN: the audit log was altered.'),
        h('p', {}, 'First broken event: ', h('a', {href: resourceHref(r ? r.resourceType : 'User', b.streamId, 'timeline', `position=${b.position}`), class: 'on-alarm'},
          `version ${b.version} of ${what}`), ` (event ${b.eventId}, log position ${b.position}, resource id ${b.streamId}).`),
        h('p', {}, `Reason: ${b.reason}.`),
        h('p', {}, 'Treat this as an incident: keep this page\'s answer, export the history, and compare the event with backups and the Kafka copies.')));
      put(chain, h('h3', {id: 'chain-h'}, 'Hash chains of this tenant'),
        note('error', 'Not intact.', 'Verification stopped at the first broken link, named above.'));
    }
    const cpHead = h('h3', {id: 'cp-h'}, 'Signed checkpoints');
    const parts = [cpHead];
    if (v.status === 'rejected') {
      parts.push(errorNote(v.reason));
    } else if (v.value.intact) {
      parts.push(note('ok', v.value.checkpointsChecked ? 'Intact.' : 'No checkpoint yet.',
        v.value.checkpointsChecked
          ? `${plural(v.value.checkpointsChecked, 'checkpoint')} covering ${plural(v.value.eventsCovered, 'event')} of the whole log verify: signatures, order and roots.`
          : 'The service signs a checkpoint every few minutes once events exist; events newer than the last checkpoint are not yet covered.'));
    } else {
      const b = v.value.firstBrokenCheckpoint;
      alarms.push(h('div', {class: 'alarm', role: 'alert', id: 'broken-checkpoint', tabindex: '-1'},
        h('strong', {}, `BROKEN CHECKPOINT ${b.id}: events it signed were changed or removed.`),
        h('p', {}, `Reason: ${b.reason}.`)));
      parts.push(note('error', 'Not intact.', `The first checkpoint that fails is ${b.id}.`));
    }
    if (key.status === 'fulfilled') {
      parts.push(h('p', {}, `Signing key `, h('code', {}, key.value.keyId), ` (${key.value.algorithm}). `,
        h('details', {}, h('summary', {}, 'Public key (PEM), to verify independently'), h('pre', {}, key.value.pem))));
    }
    if (v.status === 'fulfilled' && v.value.lastCheckpoint) {
      try {
        const list = await getJson('/audit/checkpoints', {after: Math.max(0, v.value.lastCheckpoint - 10), limit: 10});
        parts.push(h('p', {}, `The latest ${plural(list.checkpoints.length, 'checkpoint')}:`),
          h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'checkpoint-table'},
            h('thead', {}, h('tr', {}, ['#', 'Signed', 'Events', 'Range (txId:position)', 'Root'].map(t => h('th', {scope: 'col'}, t)))),
            h('tbody', {}, list.checkpoints.reverse().map(cp => h('tr', {},
              h('td', {}, String(cp.id)), h('td', {}, timeEl(h, cp.createdAt)), h('td', {class: 'num'}, String(cp.eventCount)),
              h('td', {}, h('code', {}, `${fmtPoint(cp.from)} → ${fmtPoint(cp.to)}`)),
              h('td', {}, h('code', {title: cp.root}, cp.root.slice(0, 16) + '…'))))))));
      } catch (e) {
        parts.push(errorNote(e));
      }
    }
    put(checkpoints, ...parts);
    put(banner, ...alarms);
    if (alarms.length) banner.querySelector('.alarm')?.focus();
  }
}

function fmtPoint(p) {
  return p && typeof p === 'object' ? `${p.txId}:${p.position}` : String(p);
}
