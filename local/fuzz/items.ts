/**
 * Loan items for the fuzz suite (docs/contract.md: Loans table, Sweep, Summary): good items as upstream writes them, some
 * carrying personal data in `borrowerId` and in attributes the contract does not know, and
 * malformed items made from good ones by corruptions that each name the attribute a skip reason
 * must name. Index keys keep the types the table's index demands (a wrong type cannot be stored).
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { type FuzzScale, hugeString, personalValue } from './values';

type Item = Record<string, unknown>;

/** A generated loan item. */
export interface GeneratedItem {
  readonly item: Item;
  /** For a malformed item: the attribute paths a skip reason may name (it names the first found). */
  readonly malformed?: readonly string[];
  /** Personal values the item carries: never to appear in a log line, a summary or a message. */
  readonly personal: readonly string[];
}

const DAY_MS = 86_400_000;

/** 10^30: a DynamoDB number no safe integer holds (the document client takes it as a NumberValue). */
const HUGE = NumberValue.from(`1${'0'.repeat(30)}`);

function isMap(value: unknown): value is Item {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

/** A deep copy of plain maps and lists; sets, binary and NumberValues are shared (never changed). */
function cloneItem<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneItem) as T;
  if (isMap(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneItem(v)])) as T;
  }
  return value;
}
const dateAfter = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * Odd but usable loan ids: CJK, emoji, spaces, bidi controls, quotes, longer than the 256
 * characters a summary lists. (No lone surrogates: DynamoDB stores text as UTF-8, which has none.)
 */
const idSuffix = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  fc.constantFrom(
    '-字',
    '-👩‍👩‍👧',
    '- x',
    '-\u202Eevil',
    '-"q"',
    '-é',
    `-${'x'.repeat(300)}`,
    `-${'字'.repeat(600)}`,
  ),
);

/** The day before the harness's business date: value dates are never later. */
export const YESTERDAY = '2026-11-27';

const minDate = (a: string, b: string) => (a <= b ? a : b);

/** `count` value-dated payments (docs/contract.md, Loans table) on or after `valueDate` summing to the paid amounts. */
function paymentsOf(
  seq: number,
  valueDate: string,
  count: number,
  principal: number,
  interest: number,
): Item[] {
  const first = count === 1 ? 1 : 0.5;
  const p1 = Math.floor(principal * first);
  const i1 = Math.floor(interest * first);
  const payments: Item[] = [{ paymentId: `P-${seq}-1`, valueDate, principal: p1, interest: i1 }];
  if (count > 1) {
    const later = minDate(dateAfter(valueDate, 1), YESTERDAY);
    payments.push({
      paymentId: `P-${seq}-2`,
      valueDate: later,
      principal: principal - p1,
      interest: interest - i1,
    });
  }
  return payments;
}

interface GoodParts {
  readonly item: Item;
  readonly personal: string[];
}

/**
 * A good, ACTIVE item whose first instalment is unpaid and past grace on 2026-11-28 (so a sweep
 * for that date always has something to write), with `borrowerId` a personal-looking string and,
 * sometimes, personal data in attributes the contract does not know.
 */
const goodItem = (scale: FuzzScale): fc.Arbitrary<GoodParts> =>
  fc
    .record({
      firstDue: fc.integer({ min: 0, max: 540 }).map((back) => dateAfter('2026-11-24', -back)),
      instalments: fc.array(
        fc.record({
          gap: fc.integer({ min: 1, max: 45 }),
          seqGap: fc.integer({ min: 1, max: 3 }),
          principalDue: fc.integer({ min: 1, max: 5_000_000 }),
          interestDue: fc.integer({ min: 0, max: 200_000 }),
          paidShare: fc.constantFrom(0, 0, 0.5, 1),
          // How the paid amount is recorded: paid fields only, or value-dated payments too.
          payments: fc.constantFrom(0, 0, 1, 2),
          payLag: fc.integer({ min: -10, max: 12 }),
        }),
        { minLength: 1, maxLength: scale.maxInstalments },
      ),
      rate: fc.constantFrom(0.0003, 0.0005, 0.001, 0, 0.00012345),
      currency: fc.constantFrom('CNY', 'CNY', 'USD', 'JPY'),
      shard: fc.integer({ min: 0, max: 15 }),
      productCode: fc.option(fc.constantFrom('CAPPED', 'UNKNOWN-PRODUCT', '字'), { freq: 3 }),
      locale: fc.option(fc.constantFrom('en', 'zh-CN'), { freq: 2 }),
      optOut: fc.option(fc.boolean(), { freq: 2 }),
      forbearanceUntil: fc.option(
        fc.integer({ min: -400, max: 30 }).map((days) => dateAfter('2026-11-28', days)),
        { freq: 6 },
      ),
      borrower: personalValue(),
      unknown: fc.option(
        fc.record({ borrowerName: personalValue(), mobile: personalValue() }, { requiredKeys: [] }),
        { freq: 2 },
      ),
      instalmentNote: fc.option(personalValue(), { freq: 4 }),
    })
    .map((g) => {
      let due = g.firstDue;
      let seq = 0;
      const installments = g.instalments.map((inst, index) => {
        if (index > 0) due = dateAfter(due, inst.gap);
        seq += inst.seqGap;
        // The first instalment stays unpaid: the loan is overdue past grace.
        const share = index === 0 ? 0 : inst.paidShare;
        const principalPaid = Math.floor(inst.principalDue * share);
        const interestPaid = Math.floor(inst.interestDue * share);
        return {
          seq,
          dueDate: due,
          principalDue: inst.principalDue,
          interestDue: inst.interestDue,
          principalPaid,
          interestPaid,
          ...(share > 0 &&
            inst.payments > 0 && {
              payments: paymentsOf(
                seq,
                minDate(dateAfter(due, inst.payLag), YESTERDAY),
                inst.payments,
                principalPaid,
                interestPaid,
              ),
            }),
          ...(index === 0 && g.instalmentNote !== null && { memo: g.instalmentNote }),
        };
      });
      const principal = installments.reduce((sum, inst) => sum + inst.principalDue, 0);
      const personal = [g.borrower, ...Object.values(g.unknown ?? {})];
      if (g.instalmentNote !== null) personal.push(g.instalmentNote);
      const item: Item = {
        borrowerId: g.borrower,
        currency: g.currency,
        principal,
        dailyInterestRate: g.rate,
        status: 'ACTIVE',
        installments,
        sweepShard: g.shard,
        nextDueDate: g.firstDue,
        ...(g.productCode !== null && { productCode: g.productCode }),
        ...(g.locale !== null && { locale: g.locale }),
        ...(g.optOut !== null && { remindersOptOut: g.optOut }),
        ...(g.forbearanceUntil !== null && { forbearanceUntil: g.forbearanceUntil }),
        ...(g.unknown ?? {}),
      };
      return { item, personal };
    });

/** One way to break a good item: the paths a reason may name, and the change. */
interface ItemCorruption {
  readonly names: readonly string[];
  readonly personal?: readonly string[];
  /** Changes `item`; false when it does not apply (e.g. no such instalment). */
  readonly apply: (item: Item) => boolean;
}

const set =
  (
    attribute: string,
    value: unknown,
    names: readonly string[] = [attribute],
    personal?: string[],
  ) =>
  (): ItemCorruption => ({
    names,
    ...(personal && { personal }),
    apply: (item) => {
      item[attribute] = value;
      return true;
    },
  });

const removed = (attribute: string): ItemCorruption => ({
  names: [attribute],
  apply: (item) => delete item[attribute],
});

const REMOVE = Symbol('remove');

/** Instalment `index` of the item, when the list and that instalment are still intact. */
function instalmentOf(item: Item, index: number): Item | undefined {
  const list = item.installments;
  if (!Array.isArray(list)) return undefined;
  const inst: unknown = list[index];
  return isMap(inst) ? inst : undefined;
}

/** `value` set as `field` of instalment `index` (or the field removed). */
const onInstalment = (field: string, value: unknown, index: number): ItemCorruption => ({
  names: [`installments[${index}].${field}`],
  apply: (item) => {
    const inst = instalmentOf(item, index);
    if (!inst) return false;
    if (value === REMOVE) delete inst[field];
    else inst[field] = value;
    return true;
  },
});

/** Instalment `index`'s `paid` field one more than its `due` field (more paid than was due). */
const overpaid = (index: number, paid: string, due: string): ItemCorruption => ({
  names: [`installments[${index}].${paid}`],
  apply: (item) => {
    const inst = instalmentOf(item, index);
    if (!inst || typeof inst[due] !== 'number') return false;
    inst[paid] = (inst[due] as number) + 1;
    return true;
  },
});

const badNumber = fc.constantFrom<unknown>(-1, 1.5, 'x', '100', true, [], {}, HUGE);
const badDate = (scale: FuzzScale) =>
  fc.oneof(
    fc.constantFrom<unknown>(
      '2026-02-30',
      '2026-13-01',
      '2026-1-1',
      '26-11-28',
      20261128,
      true,
      '',
    ),
    hugeString({ ...scale, hugeChars: Math.min(scale.hugeChars, 30_000) }),
  );

/**
 * Ways to break an instalment's `payments` (given one payment matching its paid fields): the
 * path suffix a reason names, and the broken list.
 */
const paymentsCorruption = fc.constantFrom<[string, (payments: unknown[]) => unknown]>(
  ['', () => 'P-1'],
  ['', () => ({ paymentId: 'P-1' })],
  ['[0]', () => [7]],
  ['[0]', () => [null]],
  ['[0].paymentId', (list) => [{ ...(list[0] as Item), paymentId: undefined }]],
  ['[0].paymentId', (list) => [{ ...(list[0] as Item), paymentId: 'p'.repeat(257) }]],
  ['[0].paymentId', (list) => [{ ...(list[0] as Item), paymentId: 12 }]],
  ['[0].valueDate', (list) => [{ ...(list[0] as Item), valueDate: '2026-02-30' }]],
  ['[0].valueDate', (list) => [{ ...(list[0] as Item), valueDate: undefined }]],
  ['[0].principal', (list) => [{ ...(list[0] as Item), principal: -1 }]],
  ['[0].interest', (list) => [{ ...(list[0] as Item), interest: 'x' }]],
  // The sums no longer match the paid fields.
  [
    '',
    (list) => [
      ...list,
      { paymentId: 'P-extra', valueDate: '2026-11-01', principal: 1, interest: 0 },
    ],
  ],
  // A repeated id (the second payment's amounts zero, so the sums still match).
  ['[1].paymentId', (list) => [...list, { ...(list[0] as Item), principal: 0, interest: 0 }]],
);

/** Corruptions of every attribute the sweep reads, each a skip with a reason naming it. */
const itemCorruption = (scale: FuzzScale): fc.Arbitrary<ItemCorruption> => {
  const itemHuge = hugeString({ ...scale, hugeChars: Math.min(scale.hugeChars, 30_000) });
  const index = fc.nat(scale.maxInstalments);
  return fc.oneof(
    fc
      .constantFrom(
        'borrowerId',
        'currency',
        'principal',
        'dailyInterestRate',
        'status',
        'installments',
        'sweepShard',
      )
      .map(removed),
    fc
      .tuple(
        personalValue(),
        personalValue(),
        fc.integer({ min: 13_000_000_000, max: 19_999_999_999 }),
      )
      .chain(([name, phone, digits]) =>
        fc.constantFrom<ItemCorruption>(
          set('borrowerId', digits, ['borrowerId'], [String(digits)])(),
          set('borrowerId', [name, phone], ['borrowerId'], [name, phone])(),
          set('borrowerId', { name, phone }, ['borrowerId'], [name, phone])(),
          set('borrowerId', true)(),
          set('borrowerId', '')(),
        ),
      ),
    fc
      .oneof(
        fc.constantFrom<unknown>('cny', 'CN', 'CNYY', '12A', 5, '', new Set(['CNY'])),
        itemHuge,
      )
      .map((v) => set('currency', v)()),
    fc.constantFrom<unknown>(0, -100, 1.5, HUGE, '100', true, []).map((v) => set('principal', v)()),
    fc
      .constantFrom<unknown>(-0.1, 'abc', '0.0003', true, {})
      .map((v) => set('dailyInterestRate', v)()),
    fc
      .oneof(fc.constantFrom<unknown>('active', 'OPEN', 3, '', new Uint8Array([1, 2])), itemHuge)
      .map((v) => set('status', v)()),
    fc.constantFrom<unknown>('fr', 'EN', 1, '').map((v) => set('locale', v)()),
    fc.constantFrom<unknown>('yes', 1, 'true').map((v) => set('remindersOptOut', v)()),
    fc.constantFrom<unknown>('M8', 'm1', 2, '').map((v) => set('bucket', v)()),
    fc.constantFrom<unknown>(5, '').map((v) => set('productCode', v)()),
    fc
      .tuple(fc.constantFrom('forbearanceUntil', 'accruedThrough'), badDate(scale))
      .map(([attribute, v]) => set(attribute, v)()),
    // Index keys keep their type (the index rejects others): a bad date text, an out-of-range shard.
    fc
      .constantFrom('2026-02-30', '2026-1-01', '1999-99-99', '2026-11-28T00:00:00Z')
      .map((v) => set('nextDueDate', v)()),
    fc.constantFrom(16, -1, 1.5, 1e10).map((v) => set('sweepShard', v)()),
    fc
      .tuple(fc.constantFrom('dpd', 'lateFeesCharged', 'penaltyCharged', 'version'), badNumber)
      .map(([attribute, v]) => set(attribute, v)()),
    fc.constantFrom<unknown>('x', {}, 5, []).map((v) => set('installments', v)()),
    fc.tuple(index, fc.constantFrom<unknown>('x', 5, null, [], true)).map(([i, v]) => ({
      names: [`installments[${i}]`],
      apply: (item: Item) => {
        const list = item.installments;
        if (!Array.isArray(list) || i >= list.length) return false;
        list[i] = v;
        return true;
      },
    })),
    fc
      .tuple(
        index,
        fc.constantFrom('principalDue', 'interestDue', 'principalPaid', 'interestPaid', 'seq'),
        fc.oneof(badNumber, fc.constant<unknown>(REMOVE)),
      )
      .map(([i, field, v]) => onInstalment(field, v, i)),
    fc
      .tuple(index, fc.oneof(badDate(scale), fc.constant<unknown>(REMOVE)))
      .map(([i, v]) => onInstalment('dueDate', v, i)),
    fc.tuple(index, badDate(scale)).map(([i, v]) => onInstalment('penaltyThrough', v, i)),
    fc
      .tuple(index, fc.constantFrom<unknown>(-1, 1.5, 'x'))
      .map(([i, v]) => onInstalment('lateFeeCharged', v, i)),
    fc.tuple(index, paymentsCorruption).map(([i, [suffix, change]]) => ({
      names: [`installments[${i}].payments${suffix}`],
      apply: (item: Item) => {
        const inst = instalmentOf(item, i);
        if (
          !inst ||
          typeof inst.principalPaid !== 'number' ||
          typeof inst.interestPaid !== 'number'
        ) {
          return false;
        }
        const valueDate = typeof inst.dueDate === 'string' ? inst.dueDate : YESTERDAY;
        const payments: unknown[] = [
          {
            paymentId: `P-${i}`,
            valueDate,
            principal: inst.principalPaid,
            interest: inst.interestPaid,
          },
        ];
        inst.payments = change(payments);
        return true;
      },
    })),
    fc
      .tuple(
        index,
        fc.constantFrom<[string, unknown]>(['', 'P-1'], ['', {}], ['[0]', 5], ['[0]', '']),
      )
      .map(([i, [suffix, value]]) => ({
        names: [`installments[${i}].paymentsApplied${suffix}`],
        apply: (item: Item) => {
          const inst = instalmentOf(item, i);
          if (!inst) return false;
          inst.paymentsApplied = suffix === '' ? value : [value];
          return true;
        },
      })),
    index.map((i) => overpaid(i, 'principalPaid', 'principalDue')),
    index.map((i) => overpaid(i, 'interestPaid', 'interestDue')),
    fc
      .tuple(
        index.filter((i) => i > 0),
        fc.boolean(),
      )
      .map(([i, duplicate]) => ({
        names: [`installments[${i}].seq`],
        apply: (item: Item) => {
          const inst = instalmentOf(item, i);
          const previous = instalmentOf(item, i - 1);
          if (!inst || typeof previous?.seq !== 'number') return false;
          inst.seq = previous.seq - (duplicate ? 0 : 1);
          return true;
        },
      })),
  );
};

/** A good item, or one with one to three corruptions applied (when at least one applies). */
export const loanItemCase = (
  scale: FuzzScale,
  malformedShare: number,
): fc.Arbitrary<GeneratedItem> =>
  fc
    .tuple(
      goodItem(scale),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.array(itemCorruption(scale), { minLength: 1, maxLength: 3 }),
    )
    .map(([good, coin, corruptions]) => {
      // Generated values are shared while fast-check shrinks: corrupt a copy.
      const item = cloneItem(good.item);
      const personal = [...good.personal];
      if (coin >= malformedShare) return { item, personal };
      const applied = corruptions.filter((c) => c.apply(item));
      if (applied.length === 0) return { item, personal };
      return {
        item,
        malformed: applied.flatMap((c) => c.names),
        personal: [...personal, ...applied.flatMap((c) => c.personal ?? [])],
      };
    });

/** A batch of items for one sweep, with unique loan ids under `prefix`. */
export const loanItemsCase = (
  scale: FuzzScale,
): fc.Arbitrary<(prefix: string) => GeneratedItem[]> =>
  fc
    .tuple(
      fc.double({ min: 0.2, max: 0.8, noNaN: true }),
      fc.integer({ min: 1, max: scale.maxItems }),
    )
    .chain(([share, count]) =>
      fc.array(fc.tuple(loanItemCase(scale, share), idSuffix), {
        minLength: count,
        maxLength: count,
      }),
    )
    .map(
      (generated) => (prefix: string) =>
        generated.map(([g, suffix], i) => ({
          ...g,
          item: { loanId: `${prefix}-${i}${suffix}`, ...cloneItem(g.item) },
        })),
    );

/** How a sweep reaches the items: the due index (a whole run) or their ids (an operator's list). */
export type ItemsMode = 'index' | 'loanIds';

/** One sweep of generated items: the items, how they are reached, ids that name no loan. */
export interface ItemsRunCase {
  readonly items: (prefix: string) => GeneratedItem[];
  readonly mode: ItemsMode;
  /** Ids in a `loanIds` run that name no loan (skipped as not found). */
  readonly unknownIds: readonly string[];
  /** A dry run of the same scope first (it must write and publish nothing). */
  readonly dryRunFirst: boolean;
  /**
   * Swept the day before as well, and between the two runs upstream posts a payment on each good
   * loan's first instalment, value-dated back (docs/contract.md, Value-dated payments: the second run may give back).
   * Payments are taken in turn from this list; none: one run only.
   */
  readonly latePayments: readonly LatePayment[];
}

/** A payment posted after the first run: days after the due date it is value-dated (at most
 * yesterday), the share of the principal and whether the interest is paid too. */
export interface LatePayment {
  readonly lag: number;
  readonly share: number;
  readonly interest: boolean;
}

/** A sweep of good and malformed items mixed, reached by index or by id, sometimes dry-run first. */
export const itemsRunCase = (scale: FuzzScale): fc.Arbitrary<ItemsRunCase> =>
  fc.record({
    items: loanItemsCase(scale),
    mode: fc.constantFrom<ItemsMode>('index', 'loanIds'),
    unknownIds: fc.uniqueArray(
      fc.string({ minLength: 1, maxLength: 12 }).map((s) => `missing-${s}`),
      { maxLength: 3 },
    ),
    dryRunFirst: fc.boolean(),
    latePayments: fc.oneof(
      fc.constant([]),
      fc.array(
        fc.record({
          lag: fc.constantFrom(0, 1, 3, 4, 10, 60),
          share: fc.constantFrom(1, 0.5, 0.01),
          interest: fc.boolean(),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    ),
  });
