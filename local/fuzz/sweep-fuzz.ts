/**
 * The sweep's fuzz properties on the emulators (issue 14), shared by the test suite and
 * `npm run fuzz`: each harness owns a file's resources, checks one generated input at a time
 * against the contract, and counts what it saw.
 *
 * - Inputs (docs/contract.md, Inputs): every rejection is a `ValidationError` with a bounded message naming each
 *   problem, and writes and publishes nothing; an accepted input is one the contract accepts; a
 *   dry run writes and publishes nothing; a non-dry run never sweeps a date after today and leaves
 *   no charge without its ledger entry.
 * - Loan items (docs/contract.md: Loans table, Sweep, Summary): every malformed item is skipped with a bounded reason naming
 *   an attribute and left untouched; every good item is swept; the summary stays small; no ledger
 *   entry without its charge; no personal value in a log line, the summary or a published message.
 */
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { eventsOfStoredOutbox } from '../../functions/adapters/outbox-text';
import { OUTBOX_ATTRIBUTE } from '../../functions/contract/tables';
import { addDays, minDate } from '../../functions/core/dates';
import { isRunRecordKey } from '../../functions/core/outbox';
import { maxReminderOffset } from '../../functions/core/policy';
import type { BusinessDate } from '../../functions/core/types';
import { ValidationError } from '../../functions/sweep/request';
import type { DirectRunSummary } from '../../functions/sweep/service';
import type { PartResponse } from '../../functions/sweep/wire';
import { drainQueue } from '../fixtures/aws';
import { installmentItem, loanItem } from '../fixtures/loans';
import { BOOK, clients, NOW, postPayment, scanAll, storedLoan, sweeper } from '../fixtures/sweep';
import type { LocalResources } from '../local-resources';
import { type GeneratedItem, type ItemsRunCase, type LatePayment, YESTERDAY } from './items';
import { type RequestCase, shanghaiDate } from './requests';
import { type Check, canonicalJson, Tally, withTimeout } from './tally';

type Item = Record<string, unknown>;

/** Longest message a ValidationError may carry, in characters (20 problems of bounded size). */
export const MAX_VALIDATION_MESSAGE_CHARS = 4_096;
/** Longest skip reason, in characters (docs/contract.md, Summary). */
export const MAX_REASON_CHARS = 200;
/** Most skipped loans a summary lists (docs/contract.md, Summary). */
export const MAX_LISTED_SKIPPED = 100;
/** Largest summary, as JSON in UTF-8 bytes: it must fit one SNS message with its envelope. */
export const MAX_SUMMARY_BYTES = 200 * 1024;
/** A run that has not answered after this long has hung, in milliseconds. */
const RUN_TIMEOUT_MS = 120_000;

/** The business date of the harness's fixed clock. */
export const TODAY = shanghaiDate(NOW);

/**
 * The `sweep.completed` envelopes the run records in `loansTable` hold (JSON): what the stream
 * publisher would send for the runs. The sweep publishes nothing itself.
 */
export async function recordedCompletions(loansTable: string): Promise<string[]> {
  const items = await scanAll(loansTable);
  return items.flatMap((item) => {
    const key = String(item.loanId);
    if (!isRunRecordKey(key)) return [];
    const decoded = eventsOfStoredOutbox(item[OUTBOX_ATTRIBUTE], key);
    return decoded.ok
      ? decoded.events.map((event) => JSON.stringify(event))
      : [`unreadable ${key}`];
  });
}

/** One item as comparable text. */
export function itemText(item: Item | undefined): string {
  return canonicalJson(item ?? null);
}

/** Every item of the given tables, as one comparable text. */
async function tablesText(tables: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    tables.map(async (table) => {
      const items = (await scanAll(table)).map(itemText).sort();
      return `${table}:${items.join('\n')}`;
    }),
  );
  return parts.join('\n---\n');
}

function allTables(resources: LocalResources): string[] {
  return Object.values(resources.tables);
}

/** Deletes every item of a table (keys named as given). */
async function clearTable(table: string, keys: readonly string[]): Promise<void> {
  const items = await scanAll(table);
  for (let i = 0; i < items.length; i += 25) {
    await clients.doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [table]: items.slice(i, i + 25).map((item) => ({
            DeleteRequest: { Key: Object.fromEntries(keys.map((key) => [key, item[key]])) },
          })),
        },
      }),
    );
  }
}

const sumOf = (entries: readonly Item[], kind: string) =>
  entries.filter((e) => e.kind === kind).reduce((sum, e) => sum + Number(e.amount), 0);

/**
 * Half-writes (docs/contract.md, Loans table): a loan whose charged totals differ from its ledger (a charge without its
 * entry, or an entry without its charge), an entry that is not the sum of its lines, or an entry of
 * a loan that does not exist. Loans in `skip` (malformed items, checked unchanged instead) are
 * held only to having no entries.
 */
export async function halfWrites(
  resources: LocalResources,
  skip: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const [loans, ledger] = await Promise.all([
    scanAll(resources.tables.LOANS_TABLE_NAME),
    scanAll(resources.tables.LEDGER_TABLE_NAME),
  ]);
  const found: string[] = [];
  const byLoan = new Map<string, Item[]>();
  for (const entry of ledger) {
    const id = String(entry.loanId);
    byLoan.set(id, [...(byLoan.get(id) ?? []), entry]);
    const lines = entry.lines;
    if (Array.isArray(lines)) {
      const total = lines.reduce((sum: number, line: Item) => sum + Number(line.amount), 0);
      if (total !== Number(entry.amount)) {
        found.push(`${id}: entry ${String(entry.entryId)} is ${entry.amount}, its lines ${total}`);
      }
    }
  }
  const ids = new Set(loans.map((loan) => String(loan.loanId)));
  for (const id of byLoan.keys()) {
    if (!ids.has(id)) found.push(`${id}: ledger entries of a loan that does not exist`);
  }
  for (const loan of loans) {
    const id = String(loan.loanId);
    const entries = byLoan.get(id) ?? [];
    if (skip.has(id)) {
      if (entries.length > 0) found.push(`${id}: a malformed loan has ${entries.length} entries`);
      continue;
    }
    const late = sumOf(entries, 'LATE_FEE') - sumOf(entries, 'LATE_FEE_REVERSAL');
    const penalty = sumOf(entries, 'PENALTY_INTEREST') - sumOf(entries, 'PENALTY_REVERSAL');
    const charged = [Number(loan.lateFeesCharged ?? 0), Number(loan.penaltyCharged ?? 0)];
    if (charged[0] !== late || charged[1] !== penalty) {
      found.push(
        `${id}: charged late ${charged[0]} / penalty ${charged[1]}, ledger ${late} / ${penalty}`,
      );
    }
  }
  return found;
}

function isPart(payload: unknown): payload is { part: Item } {
  return typeof payload === 'object' && payload !== null && 'part' in payload;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** Loans every request harness starts from: overdue since 2026-11-10, so a real run charges them. */
export const REQUEST_LOAN_IDS = ['R-1', 'R-2', 'R-3', 'R-4'] as const;

function seedLoans(): Item[] {
  return REQUEST_LOAN_IDS.map((id, i) =>
    loanItem(id, [installmentItem(1, '2026-11-10'), installmentItem(2, '2026-12-10')], {
      sweepShard: i * 5,
    }),
  );
}

/**
 * The input property on `resources`: one sweep (real wiring, fixed clock) that every input goes
 * to. `check` judges one input (a rejected one records no run either); `finish` checks the queues
 * got nothing: the sweep publishes nothing itself, its run records are the stream publisher's.
 */
export async function createRequestFuzz(resources: LocalResources, tally = new Tally('inputs')) {
  const sweep = sweeper(resources);
  const completions = () => recordedCompletions(resources.tables.LOANS_TABLE_NAME);
  const tables = allTables(resources);
  const restore = async () => {
    await clearTable(resources.tables.LEDGER_TABLE_NAME, ['loanId', 'entryId']);
    await clearTable(resources.tables.LOANS_TABLE_NAME, ['loanId']);
    for (const item of seedLoans()) {
      await clients.doc.send(
        new PutCommand({ TableName: resources.tables.LOANS_TABLE_NAME, Item: item }),
      );
    }
  };
  await restore();

  const judgeRejection = (c: RequestCase, error: unknown, check: Check) => {
    if (!(error instanceof ValidationError) || error.name !== 'ValidationError') {
      tally.count('crashes');
      const name = error instanceof Error ? error.name : typeof error;
      const message = error instanceof Error ? error.message.slice(0, 300) : '';
      check.violate('crash', `${name}: ${message}`);
      return;
    }
    tally.count('rejected');
    const message = error.message;
    tally.max('longest message (chars)', message.length);
    if (c.expected.accept) {
      check.violate(
        'rejected-valid',
        `a valid ${c.kind} input was rejected: ${message.slice(0, 300)}`,
      );
    }
    if (message.length > MAX_VALIDATION_MESSAGE_CHARS) {
      const longest = error.problems.reduce((a, b) => (b.length > a.length ? b : a), '');
      check.violate(
        'unbounded-message',
        `message of ${message.length} characters; its longest problem: ${longest.slice(0, 80)}…`,
      );
    }
    // Past 20 problems the rest are counted, not named.
    if (!c.expected.accept && !/more problems$/.test(message)) {
      const lower = message.toLowerCase();
      for (const names of c.expected.names) {
        if (!names.some((name) => lower.includes(name.toLowerCase()))) {
          check.violate(
            'unnamed-problem',
            `names none of ${names.join(' / ')}: ${message.slice(0, 200)}`,
          );
        }
      }
    }
  };

  return {
    tally,
    async check(c: RequestCase) {
      const check = tally.begin(c.payload);
      tally.count('inputs tried');
      tally.count(`${c.kind} inputs`);
      const before = await tablesText(tables);
      const published = (await completions()).length;
      let result: DirectRunSummary | PartResponse | undefined;
      try {
        result = await withTimeout(sweep.run(c.payload), RUN_TIMEOUT_MS);
      } catch (error) {
        judgeRejection(c, error, check);
      }
      const wrote = (await tablesText(tables)) !== before;
      const sent = (await completions()).length - published;
      if (!result) {
        if (wrote) check.violate('rejected-wrote', 'a rejected input changed a table');
        if (sent > 0)
          check.violate('rejected-recorded', `a rejected input recorded ${sent} completions`);
        if (wrote) await restore();
        return check.done();
      }
      tally.count('accepted');
      if (!c.expected.accept) {
        check.violate('accepted-invalid', `an invalid ${c.kind} input was accepted and run`);
      }
      const header = isPart(c.payload) ? c.payload.part : (result as DirectRunSummary);
      const asOf = String(header.asOf);
      const dryRun = header.dryRun === true;
      if (c.expected.accept && !isPart(c.payload)) {
        if (asOf !== c.expected.asOf || dryRun !== c.expected.dryRun) {
          check.violate(
            'wrong-run',
            `ran ${asOf} dry ${dryRun}, expected ${c.expected.asOf} dry ${c.expected.dryRun}`,
          );
        }
      }
      if (dryRun) {
        tally.count('dry runs');
        if (wrote) check.violate('dry-run-wrote', 'a dry run changed a table');
        if (sent > 0) check.violate('dry-run-recorded', `a dry run recorded ${sent} completions`);
      } else if (asOf > TODAY) {
        check.violate('future-swept', `a non-dry run swept ${asOf}, after today ${TODAY}`);
      }
      const halves = await halfWrites(resources);
      tally.count('half-writes', halves.length);
      for (const half of halves) check.violate('half-write', half);
      if (wrote) await restore();
      return check.done();
    },
    /** The queues got nothing: the sweep itself publishes nothing, whatever the input. */
    async finish() {
      const check = tally.begin('(queues after every input)');
      const reporting = await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl);
      const reminder = await drainQueue(clients.sqs, resources.events.queues.Reminder.queueUrl);
      if (reporting.length > 0) {
        check.violate('unexpected-message', `the reporting queue got ${reporting.length} messages`);
      }
      if (reminder.length > 0) {
        check.violate('unexpected-message', `the reminder queue got ${reminder.length} messages`);
      }
      return check.done();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Loan items

/** The last due date a whole run for `TODAY` reads from the index. */
const HORIZON = addDays(TODAY as BusinessDate, maxReminderOffset(BOOK));

/** True when a whole run's index query reads the item (its index keys put it in range). */
export function readFromIndex(item: Item): boolean {
  const shard = item.sweepShard;
  const due = item.nextDueDate;
  return (
    typeof shard === 'number' &&
    Number.isInteger(shard) &&
    shard >= 0 &&
    shard <= 15 &&
    typeof due === 'string' &&
    due <= HORIZON
  );
}

/**
 * Posts `plan`'s payment on the loan's first instalment as upstream would (value-dated `lag` days
 * after its due date, at most yesterday); false when that instalment has nothing left to pay.
 */
async function postLatePayment(
  resources: LocalResources,
  loanId: string,
  plan: LatePayment,
): Promise<boolean> {
  const loan = await storedLoan(resources, loanId);
  const inst = (loan.installments as Item[] | undefined)?.[0];
  if (!inst) return false;
  const principal = Math.ceil(
    (Number(inst.principalDue) - Number(inst.principalPaid)) * plan.share,
  );
  const interest = plan.interest ? Number(inst.interestDue) - Number(inst.interestPaid) : 0;
  if (principal + interest <= 0) return false;
  const lagged = addDays(String(inst.dueDate) as BusinessDate, plan.lag);
  const valueDate = minDate(lagged, YESTERDAY as BusinessDate);
  await postPayment(resources, loanId, 0, {
    paymentId: `late-${loanId.slice(0, 40)}`,
    valueDate,
    principal,
    interest,
  });
  return true;
}

/** Writes items, one by one where a batch fails; returns those that could not be stored. */
async function storeItems(table: string, items: readonly Item[]): Promise<Set<Item>> {
  const unstorable = new Set<Item>();
  for (let i = 0; i < items.length; i += 25) {
    const chunk = items.slice(i, i + 25);
    try {
      await clients.doc.send(
        new BatchWriteCommand({
          RequestItems: { [table]: chunk.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    } catch {
      for (const item of chunk) {
        try {
          await clients.doc.send(new PutCommand({ TableName: table, Item: item }));
        } catch {
          unstorable.add(item);
        }
      }
    }
  }
  return unstorable;
}

/** The generated item a listed (possibly cut) loan id stands for. */
function itemOfListed(listed: string, items: readonly GeneratedItem[]): GeneratedItem | undefined {
  const id = listed.endsWith('…') ? listed.slice(0, -1) : listed;
  return items.find(
    (g) =>
      String(g.item.loanId) === id ||
      (listed.endsWith('…') && String(g.item.loanId).startsWith(id)),
  );
}

/**
 * The malformed-items property on `resources`: each case empties the loans and ledger tables,
 * stores its items, sweeps them (by index or by id, sometimes dry-run first) and checks the
 * summary, the tables, the logs and what was published.
 */
export async function createItemsFuzz(resources: LocalResources, tally = new Tally('loan items')) {
  const sweep = sweeper(resources);
  const loansTable = resources.tables.LOANS_TABLE_NAME;
  const ledgerTable = resources.tables.LEDGER_TABLE_NAME;
  let caseNumber = 0;

  return {
    tally,
    async check(c: ItemsRunCase) {
      caseNumber += 1;
      await clearTable(ledgerTable, ['loanId', 'entryId']);
      await clearTable(loansTable, ['loanId']);
      const generated = c.items(`F${caseNumber}`);
      const unstorable = await storeItems(
        loansTable,
        generated.map((g) => g.item),
      );
      const items = generated.filter((g) => !unstorable.has(g.item));
      tally.count('unstorable items (dropped)', unstorable.size);
      const check = tally.begin({
        mode: c.mode,
        unknownIds: c.unknownIds,
        items: items.map((g) => g.item),
      });
      tally.count('sweeps');
      tally.count('items tried', items.length);
      const reached = c.mode === 'index' ? items.filter((g) => readFromIndex(g.item)) : items;
      const malformed = reached.filter((g) => g.malformed);
      const good = reached.filter((g) => !g.malformed);
      tally.count('malformed items', malformed.length);
      const expectedSkipped = malformed.length + (c.mode === 'loanIds' ? c.unknownIds.length : 0);
      const personal = items.flatMap((g) => g.personal);
      const stored = new Map(
        (await scanAll(loansTable)).map((item) => [String(item.loanId), item]),
      );
      const malformedIds = new Set(
        items.filter((g) => g.malformed).map((g) => String(g.item.loanId)),
      );
      const twoDays = c.latePayments.length > 0;
      const firstDate = twoDays ? YESTERDAY : TODAY;
      const payload = (dryRun: boolean, asOf: string) => ({
        ...(c.mode === 'loanIds' && {
          loanIds: [...items.map((g) => String(g.item.loanId)), ...c.unknownIds],
        }),
        ...(asOf !== TODAY && { asOf }),
        ...(dryRun && { dryRun }),
      });
      const logFrom = sweep.log.lines.length;
      // Each case starts from an empty loans table: every run record is this case's.
      const completions = () => recordedCompletions(loansTable);

      const run = async (dryRun: boolean, asOf: string): Promise<DirectRunSummary | undefined> => {
        try {
          return await withTimeout(sweep.run(payload(dryRun, asOf)), RUN_TIMEOUT_MS);
        } catch (error) {
          tally.count('crashes');
          const name = error instanceof Error ? error.name : typeof error;
          check.violate(
            'crash',
            `${dryRun ? 'dry run' : 'run'} ${asOf}: ${name}: ${String(error).slice(0, 300)}`,
          );
          return undefined;
        }
      };

      const judgeSummary = (summary: DirectRunSummary, examined: number) => {
        const text = JSON.stringify(summary);
        const bytes = Buffer.byteLength(text);
        tally.max('largest summary (bytes)', bytes);
        if (bytes > MAX_SUMMARY_BYTES) check.violate('summary-too-large', `${bytes} bytes`);
        const { count, loans } = summary.skipped;
        if (count !== expectedSkipped) {
          check.violate('skipped-miscounted', `skipped ${count}, expected ${expectedSkipped}`);
        }
        if (loans.length !== Math.min(count, MAX_LISTED_SKIPPED)) {
          check.violate('skipped-list', `lists ${loans.length} of ${count} skipped loans`);
        }
        for (const { loanId, reason } of loans) {
          if (reason.length > MAX_REASON_CHARS) {
            check.violate('unbounded-reason', `a reason of ${reason.length} characters`);
          }
          const generatedItem = itemOfListed(loanId, items);
          if (generatedItem && !generatedItem.malformed) {
            check.violate('good-skipped', `${loanId.slice(0, 60)}: ${reason}`);
          }
          const names = generatedItem?.malformed;
          if (names && !names.some((name) => reason.startsWith(`${name}:`))) {
            check.violate(
              'reason-names-no-attribute',
              `"${reason}" names none of ${names.join(', ')}`,
            );
          }
        }
        if (summary.loansExamined !== examined) {
          check.violate(
            'good-not-examined',
            `${summary.asOf}: examined ${summary.loansExamined} of ${examined} good loans`,
          );
        }
        for (const value of personal) {
          if (text.includes(value))
            check.violate('personal-in-summary', 'the summary quotes a personal value');
        }
        if (!summary.dryRun && summary.sweepCompleted?.runRecord === undefined) {
          check.violate(
            'completion-not-recorded',
            `sweep.completed: ${JSON.stringify(summary.sweepCompleted)}`,
          );
        }
      };

      if (c.dryRunFirst) {
        const before = await tablesText([loansTable, ledgerTable]);
        const summary = await run(true, firstDate);
        tally.count('dry runs');
        if (summary) judgeSummary(summary, good.length);
        if ((await tablesText([loansTable, ledgerTable])) !== before) {
          check.violate('dry-run-wrote', 'a dry run changed the loans or the ledger');
        }
        if ((await completions()).length > 0)
          check.violate('dry-run-recorded', 'a dry run recorded a completion');
      }

      const first = await run(false, firstDate);
      if (first) {
        judgeSummary(first, good.length);
        tally.count('skipped', first.skipped.count);
      }
      // The loans as the last run reads them: what it must reach and sweep for today.
      let beforeLast = new Map(
        (await scanAll(loansTable)).map((item) => [String(item.loanId), item]),
      );
      if (twoDays) {
        let n = 0;
        for (const g of good) {
          const plan = c.latePayments[n++ % c.latePayments.length] as LatePayment;
          const posted = await postLatePayment(resources, String(g.item.loanId), plan);
          if (posted) tally.count('late payments posted');
        }
        beforeLast = new Map(
          (await scanAll(loansTable)).map((item) => [String(item.loanId), item]),
        );
        const reachedToday = good.filter((g) => {
          const item = beforeLast.get(String(g.item.loanId));
          return item !== undefined && (c.mode === 'loanIds' || readFromIndex(item));
        });
        const second = await run(false, TODAY);
        if (second) judgeSummary(second, reachedToday.length);
      }
      const after = new Map((await scanAll(loansTable)).map((item) => [String(item.loanId), item]));
      for (const g of good) {
        const id = String(g.item.loanId);
        const before = beforeLast.get(id) ?? {};
        // An ACTIVE loan the last run reached is swept for today; any other was swept once.
        const reachedLast =
          before.status === 'ACTIVE' && (c.mode === 'loanIds' || readFromIndex(before));
        const swept = after.get(id)?.accruedThrough;
        if (reachedLast ? swept !== TODAY : swept !== firstDate && swept !== TODAY) {
          check.violate('good-not-swept', `${id.slice(0, 60)} swept through ${String(swept)}`);
        } else tally.count('good items swept');
      }
      const reversals = (await scanAll(ledgerTable)).filter((e) =>
        String(e.kind).endsWith('_REVERSAL'),
      );
      tally.count('reversal entries', reversals.length);
      for (const g of items.filter((item) => item.malformed)) {
        const id = String(g.item.loanId);
        if (itemText(after.get(id)) !== itemText(stored.get(id))) {
          check.violate('malformed-written', `${id.slice(0, 60)} was changed`);
        }
      }
      const halves = await halfWrites(resources, malformedIds);
      tally.count('half-writes', halves.length);
      for (const half of halves) check.violate('half-write', half);

      for (const line of sweep.log.lines.slice(logFrom)) {
        const text = JSON.stringify(line);
        if (personal.some((value) => text.includes(value))) {
          check.violate('personal-in-log', `log line "${line.message}" quotes a personal value`);
        }
        const reason = line.extra.reason;
        if (typeof reason === 'string' && reason.length > MAX_REASON_CHARS) {
          check.violate(
            'unbounded-log-reason',
            `log line "${line.message}": ${reason.length} characters`,
          );
        }
      }
      for (const message of await completions()) {
        if (personal.some((value) => message.includes(value))) {
          check.violate('personal-published', 'a recorded completion quotes a personal value');
        }
      }
      return check.done();
    },
  };
}
