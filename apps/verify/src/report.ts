/**
 * Reports: a terminal summary, the JSON report (schema `dcmblind-verify/1`, documented in the
 * README) and one self-contained HTML page a reviewer can print and sign. None of them holds a
 * leaked value as text: findings name the rule, the element path, the value's category and a
 * short keyed hash, and paths are shown with any leaked part masked. The one exception is
 * visual and on the HTML page only: thumbnails of the output frames where OCR read text, so
 * the reviewer judges the text by looking at it (they show what the output itself shows; the
 * page says so, and `--no-thumbnails` leaves them out).
 */
import { RULES, SEVERITY_ORDER, severityRank, VERDICT_TEXT } from './rules.js';
import type { Finding, Severity } from './facts.js';
import type { Report } from './verify.js';

export function summary(r: Report): string {
  const read = r.source ? `, ${r.sources} source file(s) read` : '';
  const lines = [
    `${r.files} output file(s) checked${read}${r.withKey ? ', with the key' : ''} in ${seconds(r)} s`,
    r.clean ? 'no findings' : `${r.totals.findings} finding(s): ${counted(r.totals.bySeverity)}`,
  ];
  for (const [rule, n] of Object.entries(r.totals.byRule).sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${String(n).padStart(6)}  ${rule}`);
  }
  if (r.totals.review) {
    lines.push(`${r.totals.review} item(s) to review by eye: ${counted(countBy(r.review, (f) => f.rule))}`);
  }
  for (const n of r.notJudged) lines.push(`not judged (${n.check}): ${n.count} ${n.reason}`);
  lines.push(`verdict: ${VERDICT_TEXT[r.verdict]}${verdictReason(r)}`);
  return lines.join('\n');
}

const seconds = (r: Report) => (r.elapsedMs / 1000).toFixed(1);

/** "3 leak, 1 integrity": counts in the order given. */
const counted = (by: Record<string, number>) =>
  Object.entries(by)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');

function verdictReason(r: Report): string {
  if (r.verdict === 'release') return ' (no findings, nothing to review)';
  if (r.verdict === 'do-not-release') {
    const by = r.totals.bySeverity;
    const blocking = SEVERITY_ORDER.filter((s) => s !== 'suspect' && s !== 'review' && by[s]);
    return ` (${blocking.map((s) => `${by[s]} ${s}`).join(', ')})`;
  }
  const parts = [
    r.totals.findings ? `${r.totals.findings} suspect` : '',
    r.totals.review ? `${r.totals.review} to review` : '',
  ];
  return ` (${parts.filter(Boolean).join(', ')})`;
}

/** A finding as the operator's terminal shows it: a source file by its real path, so it can be found. */
export function findingLine(f: Finding): string {
  const what = [f.category, f.valueHash ? `#${f.valueHash}` : ''].filter(Boolean).join(' ');
  const where = `${f.operatorPath ?? (f.file || '(tree)')}${f.element ? ` ${f.element}` : ''}`;
  return `${f.severity}: ${where}: ${f.rule}${what ? ` [${what}]` : ''}: ${f.detail}`;
}

/**
 * The JSON report: everything but the operator's clear source paths and the thumbnails' pixels
 * (reports may leave the site; the findings locate the frames).
 */
export function jsonReport(r: Report): string {
  const left = (k: string) => k === 'operatorPath' || k === 'thumbnails';
  return `${JSON.stringify(r, (k, v) => (left(k) ? undefined : v), 2)}\n`;
}

function countBy<T>(xs: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const sev = (s: string) => `<span class="sev ${esc(s)}">${esc(s)}</span>`;
/** Cells are HTML already (callers escape); a cell given as [html, class] gets that class. */
type Cell = string | readonly [html: string, cls: string];
const cell = (c: Cell) => (typeof c === 'string' ? `<td>${c}</td>` : `<td class="${c[1]}">${c[0]}</td>`);
const row = (cells: readonly Cell[], cls = '') =>
  `<tr${cls ? ` class="${cls}"` : ''}>${cells.map(cell).join('')}</tr>`;
/** A table; `cols` (a <colgroup>) fixes column widths. */
const table = (head: readonly string[], rows: readonly string[], cls = '', cols = '') => {
  const ths = head.map((h) => `<th>${esc(h)}</th>`).join('');
  return `<table${cls ? ` class="${cls}"` : ''}>${cols}<tr>${ths}</tr>\n${rows.join('\n')}</table>`;
};
const code = (s: string) => `<code>${esc(s)}</code>`;
/** Rows shown per file: a raw file can hold thousands; the JSON report has them all. */
const ROWS_PER_GROUP = 200;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1b1b;background:#fff;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
.verdict{padding:14px 18px;border-radius:8px;font-size:20px;font-weight:700;margin:12px 0}
.verdict small{display:block;font-size:14px;font-weight:400;margin-top:2px}
.v-release{background:#e3f4e4;color:#13531a;border:2px solid #13531a}
.v-review{background:#fff4d6;color:#6b4e00;border:2px solid #a07800}
.v-do-not-release{background:#fde4e1;color:#8a1a0f;border:2px solid #8a1a0f}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4} td.n{text-align:right;white-space:nowrap}
table.kv th{width:170px}
.sev{padding:1px 6px;border-radius:4px;font-size:12px;color:#fff;background:#666;white-space:nowrap}
.sev.leak{background:#b3261e}.sev.violation{background:#c26a00}.sev.integrity{background:#6b3fa0}
.sev.suspect{background:#8a7400}.sev.review{background:#55738a}
.no{color:#777}
code{font:12px ui-monospace,monospace;overflow-wrap:anywhere}
table.f{table-layout:fixed}.f col.s{width:9%}.f col.r{width:16%}.f col.e{width:24%}.f col.c{width:10%}
.f col.h{width:10%}.f td{overflow-wrap:anywhere}.nw{white-space:nowrap}
tr.gh td{background:#f7f3fb;font-weight:600}tr.gh td,tr.one td{border-top:2px solid #888}
.gh .counts{font-weight:400;color:#444}
.where{display:block;color:#444;font-size:11px}
.more{color:#555;font-style:italic}
.sign td{height:34px}
.foot{color:#666;font-size:12px;margin-top:24px}
.warn{background:#fff4d6;border:1px solid #a07800;padding:6px 10px;border-radius:6px}
.thumbs{display:flex;flex-wrap:wrap;gap:12px}
.thumbs figure{margin:0;max-width:480px;break-inside:avoid}
.thumbs img{display:block;max-width:100%;border:1px solid #ccc;image-rendering:pixelated}
.thumbs figcaption{font-size:12px;color:#444}
@page{size:A4;margin:14mm}
@media print{
  body{margin:0;font-size:11px;max-width:none} code{font-size:10px} .sev{font-size:10px;padding:0 4px}
  td,th{padding:3px 5px}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  h2{break-after:avoid} tr{break-inside:avoid} tr.gh{break-after:avoid}
}`;

/** The page: verdict, scan header, checks, next steps, findings, legend, sign-off. Nothing collapsed. */
export function html(r: Report): string {
  const sections = [
    `<h1>dcmblind-verify QA report</h1>`,
    verdictBanner(r),
    `<h2>Scan</h2>\n${headerTable(r)}`,
    `<h2>Checks run</h2>\n${checksTable(r)}`,
  ];
  // A clean report shows no empty tables: the banner says "no findings" once.
  const all = [...r.findings, ...r.review];
  if (all.length > 0) {
    sections.push(`<h2>What to do</h2>\n${nextSteps(all)}`);
    sections.push(`<h2>Findings by file</h2>\n${findingsTable(all)}`);
  }
  if (r.thumbnails.length > 0) sections.push(`<h2>Text read in the pixels</h2>\n${thumbnails(r)}`);
  if (!r.clean) sections.push(`<h2>By patient pseudonym</h2>\n${pseudonymTable(r.byPseudonym)}`);
  sections.push(`<h2>Legend</h2>\n${legend()}`, `<h2>Sign-off</h2>\n${signOff()}`, footnote(r));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dcmblind-verify QA report</title>
<style>${STYLE}
</style></head><body>
${sections.join('\n')}
</body></html>
`;
}

function verdictBanner(r: Report): string {
  const why =
    r.verdict === 'release'
      ? 'No findings and nothing to review.'
      : r.verdict === 'review'
        ? 'Nothing blocks release, but the items below need a person to look at them first.'
        : 'Findings of severity leak, violation or integrity: this output must not leave the site as it is.';
  const counts = [
    r.clean ? '' : `${r.totals.findings} finding(s): ${severityList(r.totals.bySeverity)}`,
    r.totals.review ? `${r.totals.review} item(s) to review` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const small = `${esc(why)}${counts ? ` ${esc(counts)}.` : ''}`;
  return `<div class="verdict v-${r.verdict}">${VERDICT_TEXT[r.verdict]}<small>${small}</small></div>`;
}

/** Severities in their order of gravity, with counts: "3 leak, 1 integrity". */
function severityList(by: Record<string, number>): string {
  return SEVERITY_ORDER.filter((s) => by[s])
    .map((s) => `${by[s]} ${s}`)
    .join(', ');
}

function headerTable(r: Report): string {
  const rows: Array<[string, string]> = [
    ['Generated (UTC)', esc(r.generatedAt)],
    ['Tool version', `dcmblind ${esc(r.toolVersion)} (dcmblind-verify)`],
    ['Output folder', code(r.output)],
    ['Source folder', r.source ? code(r.source) : 'none'],
    ['Key used', r.withKey ? `yes${r.keyFile ? ` (${code(r.keyFile)})` : ''}` : 'no'],
    [
      'Profile checked',
      r.profile
        ? `${esc(r.profile)} (${r.profileFrom === 'manifest' ? "the output's manifest" : '--profile'})`
        : 'as each file declares',
    ],
    ['Files', `${r.files} output file(s)${r.source ? `, ${r.sources} source file(s) read` : ''}`],
    ['Findings', r.clean ? '0' : `${r.totals.findings}: ${esc(severityList(r.totals.bySeverity))}`],
    ['To review by eye', String(r.totals.review)],
    ['Scan time', `${seconds(r)} s`],
  ];
  return keyValues(rows);
}

/** A two-column table of headed rows (values are HTML already). */
function keyValues(rows: ReadonlyArray<[string, string]>, cls = 'kv'): string {
  const trs = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`);
  return `<table class="${cls}">${trs.join('\n')}</table>`;
}

function checksTable(r: Report): string {
  const status = (ran: boolean) => (ran ? 'ran' : '<span class="no">not run</span>');
  const rows = r.checks.map((c) => row([esc(c.name), status(c.ran), esc(c.detail)]));
  const notJudged = r.notJudged.map((n) => `<li>${n.count} ${esc(n.reason)} (check ${code(n.check)})</li>`);
  const more = notJudged.length ? `\n<p>Not judged:</p><ul>${notJudged.join('')}</ul>` : '';
  return table(['check', 'status', 'what it covered'], rows) + more;
}

const rankOfRule = (rule: string) => severityRank(RULES[rule]?.severity ?? 'review');

/** One row per rule that fired, worst first: how often, and what the reviewer or operator does next. */
function nextSteps(all: readonly Finding[]): string {
  const counts = countBy(all, (f) => f.rule);
  const rules = Object.keys(counts).sort(
    (a, b) => rankOfRule(a) - rankOfRule(b) || (counts[b] ?? 0) - (counts[a] ?? 0),
  );
  const rows = rules.map((rule) =>
    row([
      sev(RULES[rule]?.severity ?? 'review'),
      [code(rule), 'nw'],
      [String(counts[rule]), 'n'],
      esc(RULES[rule]?.next ?? ''),
    ]),
  );
  return table(['severity', 'rule', 'count', 'next step'], rows);
}

const FINDING_COLUMNS =
  '<colgroup><col class="s"><col class="r"><col class="e"><col class="c"><col class="h"><col></colgroup>';

/**
 * Every finding in one table, grouped by file (source files apart from outputs), worst file
 * first. A file with several findings gets a header row with its counts by rule; a file with
 * one shows its path in the row. Nothing is collapsed: what prints is what the screen shows.
 */
function findingsTable(all: readonly Finding[]): string {
  const groups = new Map<string, Finding[]>();
  for (const f of all) {
    const k = `${isSource(f) ? 'source' : 'output'}\u0000${f.file}`;
    (groups.get(k) ?? groups.set(k, []).get(k))?.push(f);
  }
  const worst = (fs: readonly Finding[]) => Math.min(...fs.map((f) => severityRank(f.severity)));
  const sorted = [...groups.values()].sort(
    (a, b) => worst(a) - worst(b) || b.length - a.length || (fileKey(a) < fileKey(b) ? -1 : 1),
  );
  const head = ['severity', 'rule', 'file / element', 'category', 'value hash', 'detail'];
  return table(head, sorted.map(groupRows), 'f', FINDING_COLUMNS);
}

const fileKey = (fs: readonly Finding[]) => (fs[0] as Finding).file;
const isSource = (f: Finding) => f.element === '(source file)';

/** How a finding's file is named: masked path, marked when it is a source file or the whole tree. */
function fileLabel(f: Finding): string {
  if (!f.file) return 'the output as a whole';
  return `${isSource(f) ? 'source file ' : ''}<code>${breakable(f.file)}</code>`;
}

function findingRow(f: Finding, where: string, cls = ''): string {
  const hash = [code(f.valueHash ?? ''), 'nw'] as const;
  return row([sev(f.severity), esc(f.rule), where, esc(f.category ?? ''), hash, esc(f.detail)], cls);
}

function groupRows(fs: readonly Finding[]): string {
  const rows = [...fs].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.element < b.element ? -1 : 1),
  );
  const first = rows[0] as Finding;
  const element = (f: Finding) => (f.element && !isSource(f) ? `<code>${breakable(f.element)}</code>` : '');
  if (rows.length === 1) {
    return findingRow(first, `<span class="where">${fileLabel(first)}</span>${element(first)}`, 'one');
  }
  const byRule = Object.entries(countBy(rows, (f) => f.rule))
    .map(([k, v]) => `${v} ${k}`)
    .join(' · ');
  const counts = `<span class="counts">— ${rows.length} findings: ${esc(byRule)}</span>`;
  const wide = (html: string, cls: string) => `<tr class="${cls}"><td colspan="6">${html}</td></tr>`;
  const head = wide(`${sev(first.severity)} ${fileLabel(first)} ${counts}`, 'gh');
  const hidden = rows.length - ROWS_PER_GROUP;
  const more = hidden > 0 ? wide(`… ${hidden} more row(s) of this file in the JSON report`, 'more') : '';
  return [head, ...rows.slice(0, ROWS_PER_GROUP).map((f) => findingRow(f, element(f))), more].join('\n');
}

/** The frames where OCR read text, boxes drawn, with a warning that they show the output's pixels. */
function thumbnails(r: Report): string {
  const warning =
    '<p class="warn">These images are frames of the output, with what OCR read boxed in red: ' +
    'look, and judge whether a name, ID or date of care is shown. They show what the output ' +
    'itself shows, so this page is as sensitive as the output until the output is cleared: ' +
    'keep it at the site with it (<code>--no-thumbnails</code> makes a page without them).</p>';
  const figures = r.thumbnails.map(
    (t) =>
      `<figure><img alt="frame ${t.frame} of ${t.frames}" src="data:image/png;base64,${t.png}">` +
      `<figcaption><code>${breakable(t.file)}</code> — frame ${t.frame} of ${t.frames}, ` +
      `${t.tokens} token(s) read</figcaption></figure>`,
  );
  return `${warning}\n<div class="thumbs">${figures.join('\n')}</div>`;
}

/** Long element paths break after their separators (a dot, a bracket, a slash), not mid-keyword. */
const breakable = (s: string) => esc(s).replace(/([./\]])/g, '$1<wbr>');

function pseudonymTable(counts: Record<string, number>): string {
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => row([esc(k), [String(v), 'n']]));
  return table(['pseudonym', 'findings'], rows);
}

const LEVELS: ReadonlyArray<[Severity, string]> = [
  ['leak', 'an identifying value of a source is in the output'],
  ['violation', 'the output breaks the de-identification profile'],
  ['integrity', 'the output is incomplete, damaged or inconsistent with its sources'],
  ['suspect', 'may identify someone: a person must look'],
  ['review', 'not a finding: listed for a look (pixels, quarantined sources)'],
];

/** Every severity and every rule the scan can report, with a one-line meaning. */
function legend(): string {
  const rules = Object.entries(RULES)
    .sort((a, b) => severityRank(a[1].severity) - severityRank(b[1].severity))
    .map(([rule, i]) => row([[code(rule), 'nw'], sev(i.severity), esc(i.meaning)]));
  const levels = LEVELS.map(([s, m]) => row([sev(s), esc(m)]));
  return `${table(['severity', 'meaning'], levels)}\n${table(['rule', 'severity', 'meaning'], rules)}`;
}

function signOff(): string {
  return keyValues(
    ['Reviewed by', 'Date', 'Decision', 'Signature'].map((k) => [k, '']),
    'kv sign',
  );
}

function footnote(r: Report): string {
  const keyed = r.withKey ? ' (keyed by the project secret: equal values match across reports)' : '';
  return (
    '<p class="foot">Leaked values are never shown: each is named by its category and a 10-hex keyed ' +
    `hash${keyed}, and paths are shown with any leaked part replaced by [name], [id], ….</p>`
  );
}
