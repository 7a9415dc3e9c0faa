// How Telegraf's template built a source, part by part, for one metric (display only: the
// source shown next to it comes from the real renderer).

const dots = (v) => v.replaceAll('.', '_');

export function explainSource(template, tags) {
  const parts = (template || 'host').split('.');
  const used = new Set();
  const steps = [];
  for (const part of parts) {
    if (part === 'measurement') steps.push({ part, what: 'the measurement name, which is always empty in a Librato source' });
    else if (part === 'tags') steps.push({ part, what: 'every tag not named elsewhere in the template, sorted by key', tags: true });
    else if (part === 'field') steps.push({ part, what: 'the field placeholder, deleted with its dot' });
    else if (part === '') steps.push({ part: '(empty)', what: 'names no tag: adds nothing' });
    else if (Object.hasOwn(tags, part) && !used.has(part)) {
      used.add(part);
      steps.push({ part, what: `tag ${part} = "${tags[part]}" → ${dots(tags[part])}` });
    } else if (used.has(part)) steps.push({ part, what: `tag ${part} was already used: adds nothing` });
    else steps.push({ part, what: `no tag "${part}" on this metric: adds nothing` });
  }
  let firstTags = true;
  for (const s of steps) {
    if (!s.tags) continue;
    if (firstTags) {
      const rest = Object.keys(tags).filter((k) => !used.has(k)).sort();
      s.what += rest.length ? `: ${rest.map((k) => `${k}=${dots(tags[k])}`).join(', ')}` : ': none left (empty)';
      firstTags = false;
    } else {
      s.what = 'a second "tags": stays as the literal text TAGS (as in Telegraf)';
    }
  }
  return steps;
}

/** Template parts that name no tag in any of the given metrics. */
export function unmatchedParts(template, metrics) {
  const keys = new Set(metrics.flatMap((m) => Object.keys(m.tags)));
  return (template || 'host')
    .split('.')
    .filter((p) => p && !['measurement', 'tags', 'field'].includes(p) && !keys.has(p));
}
