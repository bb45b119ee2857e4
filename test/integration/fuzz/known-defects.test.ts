/**
 * Defects the fuzz found in `functions/` that are not fixed yet (see `test/support/fuzz/
 * known-defects.ts`). Each test states what the contract wants and is marked `it.fails` while the
 * code does otherwise; once a defect is fixed its test fails here: drop the `.fails` and the fuzz's
 * allowance for it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/sweep/request';
import type { LocalResources } from '../../../scripts/lib/local-resources';
import { freshResources } from '../../support/aws';
import { clients, sweeper } from '../../support/sweep';

let resources: LocalResources;

const part = (fields: Record<string, unknown>) => ({
  part: { runId: 'sweep-2026-11-28', asOf: '2026-11-28', dryRun: true, shard: 1, ...fields },
});

async function rejection(payload: unknown): Promise<ValidationError> {
  const error = await sweeper(resources)
    .run(payload)
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

beforeAll(async () => {
  resources = await freshResources(clients, 'fuzz-known');
});

describe('known defect part-union-message: a part that fits neither form', () => {
  it.fails('is rejected with a message that names its problem (runId), not just "part: Invalid input"', async () => {
    const error = await rejection(part({ runId: 5 }));
    expect(error.message).toContain('runId');
  });
});

describe('known defect part-message-echo: a part with an unknown key', () => {
  it.fails('is rejected with a bounded message that does not quote the key whole', async () => {
    const key = `张伟 13812345678 ${'x'.repeat(5_000)}`;
    const error = await rejection(part({ [key]: 1 }));
    expect(error.message.length).toBeLessThanOrEqual(4_096);
    expect(error.message).not.toContain('张伟 13812345678');
  });
});
