// Section citations in the code point at docs/ALGORITHMS.md, and every cited section exists there.
// The doc keeps the numbering of the internal fact sheet (../shared/spec), checked below when present.
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { repoRoot, needsShared, sharedPath } from '../helpers/shared';

const DOC = path.join(repoRoot, 'docs', 'ALGORITHMS.md');
/** Folders whose files may cite sections (brief: lib, native, scripts, tools, test). */
const CITING_DIRS = ['lib', 'native', 'scripts', 'tools', 'test'];
/** Folders whose comments must not name the old fact sheet. */
const NO_OLD_NAME_DIRS = ['lib', 'native', 'scripts', 'test'];
const SKIP_DIRS = new Set(['node_modules', 'build', 'build-cuda', 'dist', '__pycache__', '.git', 'prebuilds']);
/** Files that must spell the old name: this test and the rewrite script. */
const OLD_NAME_ALLOWED = new Set([path.join('test', 'docs', 'citations.test.ts'), path.join('tools', 'rewrite-citations.sh')]);
const OLD_NAME = 'PIPELINE' + '.md';

interface Line {
  file: string; // relative to the repository root
  line: number;
  text: string;
}

/** Every text line (files with a NUL byte are binary and skipped) under the given folders. */
function linesUnder(dirs: string[]): Line[] {
  const out: Line[] = [];
  const walk = (abs: string): void => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const p = path.join(abs, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (e.isFile()) {
        const buf = fs.readFileSync(p);
        if (buf.includes(0)) continue;
        const rel = path.relative(repoRoot, p);
        buf.toString('utf8').split('\n').forEach((text, i) => out.push({ file: rel, line: i + 1, text }));
      }
    }
  };
  for (const d of dirs) if (fs.existsSync(path.join(repoRoot, d))) walk(path.join(repoRoot, d));
  return out;
}

/** Section numbers defined by the doc: `#… §N.M title` headings and `- **Pn**` items of §16. */
function docSections(): Set<string> {
  const s = new Set<string>();
  for (const l of fs.readFileSync(DOC, 'utf8').split('\n')) {
    const h = /^#{1,6}\s+§(\d+(?:\.\d+)*)(?=\s|$)/.exec(l);
    if (h) s.add(h[1]);
    const p = /^- \*\*(P\d+)\*\*/.exec(l);
    if (p) s.add(p[1]);
  }
  return s;
}

/** `§a`, `§a–b`, `§a-§b` → the numbers a (and b), with the offset where the citation starts. */
const CITATION = /§(\d+(?:\.\d+)*)(?:\s?[–-]\s?§?(\d+(?:\.\d+)*))?/g;
function citedIn(text: string): { at: number; nums: string[] }[] {
  const out: { at: number; nums: string[] }[] = [];
  for (const m of text.matchAll(CITATION)) out.push({ at: m.index!, nums: m[2] ? [m[1], m[2]] : [m[1]] });
  return out;
}

/** A bare § that belongs to another document: DICOM PS3.x, an RFC, or another *.md file. */
function citesOtherDocument(before: string): boolean {
  const tail = before.slice(-32);
  if (/(PS3\.\d+|RFC\s?\d+|ISO[\s\d/-]*)\s*,?\s*$/.test(tail)) return true;
  const md = /([A-Za-z0-9_./-]+\.md)\s*$/.exec(tail);
  return md !== null && !md[1].endsWith('ALGORITHMS.md');
}

t.test('docs/ALGORITHMS.md exists and keeps its attribution', async (t) => {
  const text = fs.readFileSync(DOC, 'utf8');
  t.match(text, /dangnh0611\/kaggle_rsna_breast_cancer/, 'names the original repository');
  t.match(text, /MIT/, 'names its licence');
});

t.test('(a) every ALGORITHMS.md §X cited in lib/, native/, scripts/, tools/, test/ is a section of the doc', async (t) => {
  const sections = docSections();
  const lines = linesUnder(CITING_DIRS);
  const missing: string[] = [];
  let count = 0;
  for (const l of lines) {
    const start = l.text.indexOf('ALGORITHMS.md §');
    if (start < 0) continue;
    // The rest of the line: `ALGORITHMS.md §5.2, §12.3–12.4` cites three sections.
    const rest = l.text.slice(start);
    for (const c of citedIn(rest)) {
      if (c.at > 0 && citesOtherDocument(rest.slice(0, c.at))) continue;
      for (const n of c.nums) {
        count += 1;
        if (!sections.has(n)) missing.push(`${l.file}:${l.line} cites §${n}`);
      }
    }
  }
  t.same(missing, [], `${count} citations checked; each has a heading in docs/ALGORITHMS.md`);
});

t.test('(a) bare §X citations in code comments also exist (other standards excluded)', async (t) => {
  const sections = docSections();
  const missing: string[] = [];
  let count = 0;
  for (const l of linesUnder(CITING_DIRS)) {
    if (l.file === path.join('test', 'docs', 'citations.test.ts')) continue;
    for (const c of citedIn(l.text)) {
      if (citesOtherDocument(l.text.slice(0, c.at))) continue;
      for (const n of c.nums) {
        count += 1;
        if (!sections.has(n)) missing.push(`${l.file}:${l.line} cites §${n}`);
      }
    }
  }
  t.ok(count > 0, `${count} bare citations found`);
  t.same(missing, [], 'each cited number has a heading in docs/ALGORITHMS.md');
});

t.test('(b) no file in lib/, native/, scripts/, test/ cites the old fact sheet', async (t) => {
  const offenders: string[] = [];
  for (const l of linesUnder(NO_OLD_NAME_DIRS)) {
    if (OLD_NAME_ALLOWED.has(l.file) || !l.text.includes(OLD_NAME)) continue;
    // A test may open the fact sheet itself as data: sharedPath('spec/<name>') is a path, not a citation.
    const rest = l.text.replace(new RegExp(`(['"\`])spec/${OLD_NAME.replace('.', '\\.')}\\1`, 'g'), '');
    if (rest.includes(OLD_NAME)) offenders.push(`${l.file}:${l.line}`);
  }
  t.same(offenders, [], 'run tools/rewrite-citations.sh to rewrite them');
});

t.test('paths named in docs/ALGORITHMS.md exist', async (t) => {
  const text = fs.readFileSync(DOC, 'utf8');
  const missing: string[] = [];
  let count = 0;
  for (const m of text.matchAll(/`((?:lib|native|scripts|tools|test|assets|docs)\/[^`\s]*)`/g)) {
    let p = m[1];
    const wild = p.search(/[*{]/);
    if (wild >= 0) p = path.dirname(p.slice(0, wild) + 'x');
    count += 1;
    if (!fs.existsSync(path.join(repoRoot, p))) missing.push(m[1]);
  }
  t.ok(count > 50, `${count} paths checked`);
  t.same([...new Set(missing)], [], 'every named file or folder exists (update the doc when code moves)');
});

t.test('golden folders named in docs/ALGORITHMS.md exist', needsShared('golden'), async (t) => {
  const text = fs.readFileSync(DOC, 'utf8');
  const missing: string[] = [];
  for (const m of text.matchAll(/`\.\.\/shared\/([^`\s]+)`/g)) {
    let p = m[1];
    const wild = p.search(/[*{]/);
    if (wild >= 0) p = path.dirname(p.slice(0, wild) + 'x');
    if (!sharedPath(p)) missing.push(m[1]);
  }
  t.same([...new Set(missing)], []);
});

t.test('the doc has every section number of the fact sheet it mirrors', needsShared('spec'), async (t) => {
  const specFile = fs.readdirSync(sharedPath('spec')!).find((f) => f.endsWith('.md'));
  if (!specFile) return t.skip('no fact sheet in ../shared/spec');
  const spec = fs.readFileSync(path.join(sharedPath('spec')!, specFile), 'utf8');
  const wanted = new Set<string>();
  for (const l of spec.split('\n')) {
    const top = /^## (\d+)\./.exec(l);
    if (top) wanted.add(top[1]);
    // Numbered headings and items: `### 1.4 …`, `1.4.1 LINEAR…`, `  9.10.1 End…` (wrapped text never starts so).
    const sub = /^(?:#{2,4} )?\s*(\d+(?:\.\d+)+)\s+[A-Z(`"'\[]/.exec(l);
    if (sub) wanted.add(sub[1]);
  }
  const have = docSections();
  const missing = [...wanted].filter((n) => !have.has(n));
  t.ok(wanted.size > 200, `${wanted.size} numbers in the fact sheet`);
  t.same(missing, [], 'docs/ALGORITHMS.md has a heading for each');
});
