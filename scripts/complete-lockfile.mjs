// The npm registry mirror of the machines this project is built on serves nothing for some platform-specific optional
// packages (Biome's and unrs-resolver's non-Linux binaries). `npm install` then leaves them out of package-lock.json,
// and `npm ci` refuses that lock ("Missing: @biomejs/cli-darwin-arm64@ from lock file"). This script adds the missing
// entries with the os, cpu and libc their names encode, so that `npm ci` skips them where they do not apply and
// installs them where they do. Run it after `npm install`; `--check` only reports, for CI.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCKFILE = 'package-lock.json';
const OS = ['android', 'darwin', 'freebsd', 'linux', 'openharmony', 'win32'];
const CPU = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'arm'];

/** The platform a binary package's name encodes (`cli-linux-x64-musl`, `resolver-binding-linux-arm-gnueabihf`). */
function platformOf(name) {
  const words = name.split('/').pop().split('-');
  const os = OS.find((candidate) => words.includes(candidate));
  const cpu = CPU.find((candidate) => words.includes(candidate));
  if (os === undefined || cpu === undefined) throw new Error(`cannot tell the platform of ${name}`);
  const libc = words.some((word) => word.startsWith('musl'))
    ? 'musl'
    : words.some((word) => word.startsWith('gnu'))
      ? 'glibc'
      : undefined;
  // Packages built for Linux with no libc word in their name are glibc builds (musl builds always say so).
  const linuxLibc = os === 'linux' ? (libc ?? 'glibc') : undefined;
  return { os: [os], cpu: [cpu], ...(linuxLibc === undefined ? {} : { libc: [linuxLibc] }) };
}

const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8'));
const added = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] !== undefined || lock.packages[`${path}/${key}`] !== undefined) continue;
    lock.packages[key] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...platformOf(name) };
    added.push(`${name}@${version}`);
  }
}

if (process.argv.includes('--check')) {
  if (added.length > 0) {
    console.error(
      `${LOCKFILE} lacks ${added.length} optional platform packages (${added[0]}, ...): run node scripts/complete-lockfile.mjs`,
    );
    process.exit(1);
  }
} else {
  const sorted = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  writeFileSync(LOCKFILE, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
  console.log(added.length === 0 ? `${LOCKFILE} is complete` : `added to ${LOCKFILE}: ${added.join(', ')}`);
}
