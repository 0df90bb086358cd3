// The browser suite's entry point: starts the fixture (the real server, seeded; see
// tests/e2e/src/bin/dashboard_fixture.rs), runs every tests/*.test.mjs file against it one
// file at a time, prints each test and a last line "browser: N passed, N failed".
//
//   node run.mjs FIXTURE_BINARY [test files...]
//
// The fixture lives as long as this process: it stops when its stdin closes.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const here = dirname(fileURLToPath(import.meta.url));
const [fixtureBinary, ...only] = process.argv.slice(2);
if (!fixtureBinary) {
  console.error('usage: node run.mjs FIXTURE_BINARY [test files...]');
  process.exit(2);
}

const fixture = spawn(fixtureBinary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
const ready = await new Promise((resolve, reject) => {
  fixture.once('error', reject);
  fixture.once('exit', (code) => reject(new Error(`the fixture exited (${code}) before it was ready`)));
  createInterface({ input: fixture.stdout }).once('line', (line) => {
    try {
      resolve(JSON.parse(line));
    } catch (e) {
      reject(new Error(`the fixture said: ${line}`));
    }
  });
}).catch((e) => {
  console.error(`browser: ${e.message}`);
  console.log('browser: 0 passed, 1 failed');
  process.exit(1);
});
console.log(`fixture ready in ${ready.seed_seconds.toFixed(1)}s: dashboard ${ready.dashboard}, control ${ready.control}`);
process.env.CHIBO_DASHBOARD_URL = ready.dashboard;
process.env.CHIBO_CONTROL_URL = ready.control;

const dir = join(here, 'tests');
const files = (only.length ? only : readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(dir, f)));

let passed = 0;
let failed = 0;
const stream = run({ files, concurrency: 1, timeout: 5 * 60_000 });
stream.on('test:pass', (t) => {
  if (t.details?.type !== 'suite' && !t.skip && !t.todo && !t.file?.endsWith?.(t.name)) passed += 1;
});
// A file that crashes outside its tests is reported as a failed test named after it.
stream.on('test:fail', (t) => {
  if (t.details?.type !== 'suite') failed += 1;
});
stream.compose(spec).pipe(process.stdout);
await new Promise((resolve) => stream.once('end', resolve));
fixture.stdin.end();
// Let the reporter flush before the last line.
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
