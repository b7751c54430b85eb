/**
 * Link check of the documentation (issue 15 item 6): every Markdown link in the README,
 * docs/ and the other READMEs points inside the repository at a file that exists (and
 * at a heading that exists, for `#anchor`s). A link out of the repository (a sibling
 * folder, http…) breaks for whoever reads a clone, so there are none; the App Mesh sources the
 * reference notes cite are plain text, not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/fixtures.js';

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    if (statSync(full).isDirectory()) return markdownFiles(full);
    return name.endsWith('.md') ? [full] : [];
  });
}

/** The text without fenced code blocks and code spans: links there are examples, not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6}\s+(.+)$/gm))
    out.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  return out;
}

const FILES = markdownFiles(REPO_ROOT);

describe('documentation links', () => {
  it('checks the README, docs/ and every other Markdown file', () => {
    const relative = FILES.map((f) => path.relative(REPO_ROOT, f));
    expect(relative).toContain('README.md');
    expect(relative).toEqual(
      expect.arrayContaining(['docs/migration.md', 'docs/file-formats.md', 'docs/configuration.md']),
    );
  });

  for (const file of FILES) {
    const name = path.relative(REPO_ROOT, file);
    it(`${name}: every link resolves inside the repository`, () => {
      const text = readFileSync(file, 'utf8');
      const problems: string[] = [];
      for (const m of prose(text).matchAll(/\[[^\]\n]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
          problems.push(`${target}: a link out of the repository`);
          continue;
        }
        const [pathPart, anchor] = target.split('#') as [string, string | undefined];
        const resolved =
          pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
        if (path.relative(REPO_ROOT, resolved).startsWith('..')) {
          problems.push(`${target}: outside the repository`);
          continue;
        }
        if (!existsSync(resolved)) {
          problems.push(`${target}: no such file`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor))
          problems.push(`${target}: no heading #${anchor} in ${path.relative(REPO_ROOT, resolved)}`);
      }
      expect(problems).toEqual([]);
    });
  }
});
