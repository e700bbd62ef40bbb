import {getJson} from './api.js';

// id -> what the log says about that resource (name, deleted, erased), asked for in batches of up to 200 ids.
const known = new Map();

export function forgetNames() {
  known.clear();
}

export function described(id) {
  return known.get(id);
}

export async function describe(ids) {
  const missing = [...new Set(ids)].filter(id => id && !known.has(id));
  for (let i = 0; i < missing.length; i += 200) {
    const chunk = missing.slice(i, i + 200);
    const answer = await getJson('/audit/search', {id: chunk});
    chunk.forEach(id => known.set(id, null));
    answer.resources.forEach(r => known.set(r.id, r));
  }
  return known;
}
