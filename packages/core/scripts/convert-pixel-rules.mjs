#!/usr/bin/env node
// Converts CTP's burned-in annotation library (DicomPixelAnonymizer.script: signatures of device
// screens and the rectangles where they print identity) into data/pixel-rules.json, the region
// rules of the Clean Pixel Data Option. Run when the library changes:
//   git -C CTP show HEAD:source/files/scripts/DicomPixelAnonymizer.script > lib.script
//   node scripts/convert-pixel-rules.mjs lib.script <CTP commit> > data/pixel-rules.json
// The script's grammar: a signature is `{ condition }` followed by rectangles `(x,y,w,h)`; a
// condition combines `Attribute.method("value")` (Attribute a keyword or [gggg,eeee]) with
// `*` (and), `+` (or), `!` (not) and parentheses. Keywords are resolved to tags here, with
// dcmjs's data dictionary, so the engine needs no dictionary look-up by name.
import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
// The methods the engine knows (from the built package: `pnpm build` first).
import { RULE_OPS } from '../dist/pixels/text/rules.js';

const [file, commit = 'unknown'] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const nameMap = dcmjs.data.DicomMetaDictionary.nameMap;

function tagOf(attr) {
  const hex = /^\[([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\]$/.exec(attr);
  if (hex) return `${hex[1]}${hex[2]}`.toUpperCase();
  const e = nameMap[attr];
  if (!e) throw new Error(`unknown attribute ${attr}`);
  return e.tag.replace(/[(),]/g, '').toUpperCase();
}

/** Recursive descent over a condition's tokens. */
function parseCondition(src) {
  const tokens =
    src.match(/(?:\[[0-9A-Fa-f]{4},[0-9A-Fa-f]{4}\]|\w+)\.\w+\s*\("(?:[^"\\]|\\.)*"\)|[()*+!]/g) ?? [];
  let i = 0;
  const expr = () => {
    const terms = [term()];
    while (tokens[i] === '+') {
      i++;
      terms.push(term());
    }
    return terms.length === 1 ? terms[0] : { any: terms };
  };
  const term = () => {
    const factors = [factor()];
    while (tokens[i] === '*') {
      i++;
      factors.push(factor());
    }
    return factors.length === 1 ? factors[0] : { all: factors };
  };
  const factor = () => {
    const t = tokens[i++];
    if (t === '!') return { not: factor() };
    if (t === '(') {
      const e = expr();
      if (tokens[i++] !== ')') throw new Error(`unbalanced parentheses in ${src}`);
      return e;
    }
    const m = /^(.+)\.(\w+)\s*\("(.*)"\)$/.exec(t ?? '');
    if (!m) throw new Error(`cannot read "${t}" in ${src}`);
    const [, attr, op, value] = m;
    if (!RULE_OPS.includes(op)) throw new Error(`unknown method ${op}`);
    return { tag: tagOf(attr), keyword: attr.startsWith('[') ? undefined : attr, op, value };
  };
  const e = expr();
  if (i !== tokens.length) throw new Error(`trailing tokens in ${src}`);
  return e;
}

const rules = [];
let section = '';
let label = [];
const lines = text.split(/\r?\n/);
for (let n = 0; n < lines.length; n++) {
  const line = lines[n].trim();
  if (/^\*{5,}$/.test(line)) {
    section = lines[n + 1].trim();
    n += 2;
    label = [];
    continue;
  }
  if (!line.startsWith('{')) {
    if (line && !line.startsWith('(')) label.push(line);
    if (!line) label = label.slice(-2);
    continue;
  }
  let cond = line;
  while (!cond.includes('}')) cond += ` ${lines[++n].trim()}`;
  const after = cond.slice(cond.indexOf('}') + 1);
  cond = cond.slice(1, cond.indexOf('}'));
  let regionsText = after;
  while (n + 1 < lines.length && /^\s*\(/.test(lines[n + 1])) regionsText += ` ${lines[++n]}`;
  const regions = [...regionsText.matchAll(/\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)/g)].map((m) =>
    m.slice(1, 5).map(Number),
  );
  if (regions.length === 0) throw new Error(`line ${n + 1}: a signature without rectangles`);
  rules.push({
    section,
    label: label
      .filter((l) => !l.startsWith('Important'))
      .slice(-2)
      .join(' / '),
    when: parseCondition(cond),
    regions,
  });
  label = [];
}

process.stdout.write(
  `${JSON.stringify(
    {
      about:
        'Region rules of the Clean Pixel Data Option: when a file matches `when`, the rectangles [x, y, width, height] are blanked in every frame. Converted by scripts/convert-pixel-rules.mjs.',
      source: {
        name: "CTP's burned-in annotation library (DicomPixelAnonymizer.script), compiled by RSNA from its users' contributions",
        repository: 'https://github.com/johnperry/CTP',
        path: 'source/files/scripts/DicomPixelAnonymizer.script',
        commit,
        license: 'RSNA Public License (http://mirc.rsna.org/rsnapubliclicense.pdf), as CTP',
        note: 'The library says: it is the responsibility of the user to review images to be sure that all areas of PHI are removed.',
      },
      rules,
    },
    null,
    1,
  )}\n`,
);
