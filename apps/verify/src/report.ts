/**
 * Reports: a terminal summary, the JSON report (schema `dcmblind-verify/1`, documented in the
 * README) and one self-contained HTML page. None of them holds a leaked value: findings name
 * the rule, the element path, the value's category and a short keyed hash.
 */
import type { Finding } from './scan.js';
import type { Report } from './verify.js';

export function summary(r: Report): string {
  const lines = [
    `${r.files} output file(s) checked${r.source ? `, ${r.sources} source file(s) read` : ''}${r.withKey ? ', with the key' : ''} in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    r.clean ? 'no findings' : `${r.totals.findings} finding(s): ${Object.entries(r.totals.bySeverity).map(([k, v]) => `${v} ${k}`).join(', ')}`,
  ];
  for (const [rule, n] of Object.entries(r.totals.byRule).sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(6)}  ${rule}`);
  if (r.totals.review) lines.push(`${r.totals.review} file(s) to review by eye (modalities that often carry burned-in text)`);
  return lines.join('\n');
}

export function findingLine(f: Finding): string {
  const what = [f.category, f.valueHash ? `#${f.valueHash}` : ''].filter(Boolean).join(' ');
  return `${f.severity}: ${f.file || '(tree)'}${f.element ? ` ${f.element}` : ''}: ${f.rule}${what ? ` [${what}]` : ''}: ${f.detail}`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function html(r: Report): string {
  const sev = (s: string) => `<span class="sev ${esc(s)}">${esc(s)}</span>`;
  const table = (rows: Array<[string, number]>, head: string) =>
    `<table><tr><th>${esc(head)}</th><th>findings</th></tr>${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td class="n">${v}</td></tr>`).join('')}</table>`;
  const byFile = new Map<string, Finding[]>();
  for (const f of [...r.findings, ...r.review]) (byFile.get(f.file) ?? byFile.set(f.file, []).get(f.file))?.push(f);
  const files = [...byFile.entries()].sort((a, b) => b[1].length - a[1].length);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dcmblind-verify report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1b1b;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:24px 0 8px}
.banner{padding:14px 18px;border-radius:8px;font-size:18px;font-weight:600;margin:12px 0}
.ok{background:#e3f4e4;color:#13531a}.bad{background:#fde4e1;color:#8a1a0f}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;margin:6px 0 12px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
td.n{text-align:right}.sev{padding:1px 6px;border-radius:4px;font-size:12px;color:#fff;background:#666}
.sev.leak{background:#b3261e}.sev.violation{background:#c26a00}.sev.integrity{background:#6b3fa0}.sev.suspect{background:#a08a00}.sev.review{background:#55738a}
details{margin:4px 0}summary{cursor:pointer}code{font:12px ui-monospace,monospace}
</style></head><body>
<h1>dcmblind-verify report</h1>
<div>output ${esc(r.output)}${r.source ? ` · source ${esc(r.source)}` : ''}${r.withKey ? ' · with key' : ''}${r.profile ? ` · profile ${esc(r.profile)}` : ''} · ${(r.elapsedMs / 1000).toFixed(1)} s</div>
<div class="banner ${r.clean ? 'ok' : 'bad'}">${r.clean ? 'No findings' : `${r.totals.findings} finding(s)`}</div>
<div class="cards">
<div class="card"><b>${r.files}</b>output files</div>
<div class="card"><b>${r.sources}</b>source files</div>
${Object.entries(r.totals.bySeverity).map(([k, v]) => `<div class="card"><b>${v}</b>${sev(k)}</div>`).join('')}
<div class="card"><b>${r.totals.review}</b>${sev('review')}</div>
</div>
<h2>By rule</h2>${table(Object.entries(r.totals.byRule).sort((a, b) => b[1] - a[1]), 'rule')}
<h2>By patient pseudonym</h2>${table(Object.entries(r.byPseudonym).sort((a, b) => b[1] - a[1]), 'pseudonym')}
<h2>Files</h2>
${files.length === 0 ? '<p>Nothing to show.</p>' : files.map(([file, fs]) => `<details><summary><code>${esc(file || '(whole tree)')}</code> — ${fs.length} item(s)</summary>
<table><tr><th>severity</th><th>rule</th><th>element</th><th>category</th><th>value hash</th><th>detail</th></tr>
${fs.map((f) => `<tr><td>${sev(f.severity)}</td><td>${esc(f.rule)}</td><td><code>${esc(f.element)}</code></td><td>${esc(f.category ?? '')}</td><td><code>${esc(f.valueHash ?? '')}</code></td><td>${esc(f.detail)}</td></tr>`).join('\n')}
</table></details>`).join('\n')}
<p style="color:#666;font-size:12px">Leaked values are never shown: each is named by its category and a short keyed hash.</p>
</body></html>
`;
}
