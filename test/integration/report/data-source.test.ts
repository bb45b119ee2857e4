/**
 * Where `npm run report` and `npm run republish` read from, and what they say when they cannot:
 * a missing region is never the error a user sees — a DynamoDB on this machine needs none, and
 * for AWS the message says what to set; with nothing set and no local run kept, the message says
 * how to name a table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportStore } from '../../../functions/adapters/report-store';
import { REPORTS_TABLE } from '../../../functions/contract/tables';
import { EMPTY_DELTA } from '../../../functions/core/report';
import type { BusinessDate } from '../../../functions/core/types';
import { localClients } from '../../../local/fixtures/aws';
import { LOCAL_DATA_DIR_ENV } from '../../../local/local-data';
import { createTable, uniqueSuffix } from '../../../local/local-resources';

/** A folder without any kept local run. */
const empty = mkdtempSync(join(tmpdir(), 'overdue-sweep-empty-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));
let table: string;

beforeAll(async () => {
  const clients = localClients();
  table = `report-source-${uniqueSuffix()}`;
  await createTable(clients.dynamodb, REPORTS_TABLE, table);
  const store = createReportStore(clients.doc, table);
  const asOf = '2026-11-28' as BusinessDate;
  await store.ensureReports([asOf]);
  await store.commit([{ asOf, delta: { ...EMPTY_DELTA, loansOverdue: 3 } }], [], [], 0);
});

/** A shell with only `extra` set: no region, no credentials, no AWS configuration files. */
function run(script: string, args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      [LOCAL_DATA_DIR_ENV]: empty,
      AWS_CONFIG_FILE: join(empty, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(empty, 'none'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extra,
    },
  });
}

describe('npm run report', () => {
  it('reads a DynamoDB on this machine with no region or credentials set', () => {
    const report = run('report', ['--asOf', '2026-11-28'], {
      [REPORTS_TABLE.envVar]: table,
      AWS_ENDPOINT_URL_DYNAMODB: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
    });
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/Loans overdue\s+│ 3 /);
  });

  it('for AWS without a region, says to set one instead of the SDK’s "Region is missing"', () => {
    const report = run('report', ['--asOf', '2026-11-28'], { [REPORTS_TABLE.envVar]: table });
    expect(report.status).toBe(2);
    expect(report.stderr).toContain(
      'npm run report: no AWS region. Set AWS_REGION (or AWS_PROFILE with a region) to the region the stack is deployed in.',
    );
    expect(report.stderr).not.toContain('Region is missing');
  });

  it('with nothing set and no local run kept, says how to name the table', () => {
    const report = run('report', ['--days', '3']);
    expect(report.status).toBe(2);
    expect(report.stderr).toContain(
      `No reports table: pass --table NAME or set ${REPORTS_TABLE.envVar} (for the deployed stack, its ReportsTableName output); and there is no local run's data in ${empty} to read (npm start keeps it there).`,
    );
  });
});

describe('npm run republish', () => {
  it('with nothing set and no local run kept, says how to name the table and topic', () => {
    const republish = run('republish', ['--asOf', '2026-11-28']);
    expect(republish.status).toBe(2);
    expect(republish.stderr).toContain('No loans table: pass --table NAME or set LOANS_TABLE_NAME');
    expect(republish.stderr).toContain("there is no local run's data in");
  });

  it('for AWS without a region, says to set one', () => {
    const republish = run('republish', ['--asOf', '2026-11-28', '--dry-run'], {
      LOANS_TABLE_NAME: 'loans',
    });
    expect(republish.status).toBe(2);
    expect(republish.stderr).toContain('npm run republish: no AWS region.');
  });
});

describe('npm run credit-extract', () => {
  it('with nothing set and no local run kept, says how to name the tables', () => {
    const extract = run('credit-extract', ['--month', '2026-11', '--out', join(empty, 'x.csv')]);
    expect(extract.status).toBe(64);
    expect(extract.stderr).toContain(
      'No credit records table: pass --records-table NAME and --reports-table NAME',
    );
    expect(extract.stderr).toContain("there is no local run's data in");
  });

  it('for AWS without a region, says to set one', () => {
    const extract = run('credit-extract', ['--month', '2026-11', '--out', join(empty, 'x.csv')], {
      CREDIT_RECORDS_TABLE_NAME: 'records',
      REPORTS_TABLE_NAME: 'reports',
    });
    expect(extract.status).toBe(64);
    expect(extract.stderr).toContain('npm run credit-extract: no AWS region.');
  });

  it('names both tables when only one is given', () => {
    const extract = run('credit-extract', ['--month', '2026-11', '--records-table', 'records']);
    expect(extract.status).toBe(64);
    expect(extract.stderr).toContain('Name both tables');
  });
});
