// The .d.ts declarations compile against a usage file in strict mode (and reject wrong usage).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

it('hubbub.d.ts type-checks a strict usage example', { timeout: 120_000 }, () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--skipLibCheck', '--lib', 'es2022,dom', 'test/types/usage.ts'], { cwd: root, encoding: 'utf8', timeout: 110_000 });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
