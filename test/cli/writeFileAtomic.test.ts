import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/cli/writeFileAtomic';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ai-opt-out-atomic-'));
});

describe('writeFileAtomic', () => {
  it('writes the whole text and leaves no other file', async () => {
    const text = 'x'.repeat(1_000_000);
    await writeFileAtomic(join(dir, 'report.csv'), text);
    expect(readFileSync(join(dir, 'report.csv'), 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['report.csv']);
  });

  it('replaces a file that is there', async () => {
    writeFileSync(join(dir, 'report.csv'), 'old report, longer than the new one');
    await writeFileAtomic(join(dir, 'report.csv'), 'new');
    expect(readFileSync(join(dir, 'report.csv'), 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['report.csv']);
  });

  it('fails, and removes what it wrote, when the file cannot be replaced (a directory is in the way)', async () => {
    mkdirSync(join(dir, 'report.csv'));
    writeFileSync(join(dir, 'report.csv', 'kept'), 'kept');
    await expect(writeFileAtomic(join(dir, 'report.csv'), 'new')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(dir)).toEqual(['report.csv']);
    expect(readdirSync(join(dir, 'report.csv'))).toEqual(['kept']);
  });

  it('fails, and creates nothing, when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'report.csv'), 'new')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(dir)).toEqual([]);
  });
});
