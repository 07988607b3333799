// Fails when `buf lint` finds a problem in proto/ or when the committed generated
// code differs from what `buf generate` produces now (run `npm run generate`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const committed = join(root, 'libs/contracts/src/gen');
const buf = join(root, 'node_modules/.bin/buf');

function run(args) {
  execFileSync(buf, args, { cwd: root, stdio: 'inherit' });
}

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

run(['lint']);
run(['format', '--diff', '--exit-code']);

const scratch = mkdtempSync(join(tmpdir(), 'contracts-'));
try {
  run(['generate', '-o', scratch]);
  const fresh = join(scratch, 'libs/contracts/src/gen');
  const want = listFiles(fresh);
  const have = listFiles(committed);
  const stale = [
    ...want.filter((f) => !have.includes(f)).map((f) => `missing ${f}`),
    ...have.filter((f) => !want.includes(f)).map((f) => `extra ${f}`),
    ...want
      .filter((f) => have.includes(f))
      .filter((f) => !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f))))
      .map((f) => `outdated ${f}`),
  ];
  if (stale.length > 0) {
    console.error(
      `generated code in libs/contracts/src/gen is stale (run \`npm run generate\`):\n  ${stale.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(`contracts: buf lint clean, ${want.length} generated files up to date`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
