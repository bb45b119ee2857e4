/**
 * Runs before every test file: points the local run's kept data (`npm start`, `npm run report`,
 * `npm run republish` with nothing else set) at a temporary folder of the file's own, so no test
 * ever reads or writes the user's `.local/`. Removed after the file's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { LOCAL_DATA_DIR_ENV } from '../../local/local-data';

const dir = mkdtempSync(join(tmpdir(), 'overdue-sweep-local-'));
process.env[LOCAL_DATA_DIR_ENV] = dir;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
