import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const PAGES = ['README.md', 'SECURITY.md', ...readdirSync(join(ROOT, 'docs')).map((file) => join('docs', file))].filter(
  (page) => page.endsWith('.md'),
);

/** GitHub's anchor of a heading: lowercase, punctuation but hyphens dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(page: string): Set<string> {
  const text = readFileSync(join(ROOT, page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => anchorOf(heading ?? '')));
}

/** Every link of a page to a file of this repository, with its anchor if any. */
function localLinks(page: string): { target: string; anchor: string | undefined }[] {
  const text = readFileSync(join(ROOT, page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, href]) => href ?? '')
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [path, anchor] = href.split('#');
      return { target: path === '' ? page : join(dirname(page), path ?? ''), anchor };
    });
}

describe('the documentation', () => {
  it.each(PAGES)('%s links only to files and headings that exist', (page) => {
    for (const { target, anchor } of localLinks(page)) {
      expect(existsSync(join(ROOT, target)) ? target : `missing: ${target}`).toBe(target);
      if (anchor !== undefined) expect([...anchors(target)]).toContain(anchor);
    }
  });

  it('links every page of docs/ from the README', () => {
    const linked = new Set(localLinks('README.md').map(({ target }) => target));
    for (const page of PAGES.filter((page) => page.startsWith('docs'))) expect([...linked]).toContain(page);
  });
});
