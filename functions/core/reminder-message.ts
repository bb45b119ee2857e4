/**
 * The text of a borrower's reminder (docs/contract.md, Reminders): every line, most urgent first
 * then by loan id, in the locale of the most urgent line's loan (zh-CN or en), amounts formatted
 * exactly in each loan's currency. The tone is a servicer's, not a collector's: what is due or
 * overdue, what happens next where the law says so (the credit-report notice), how to pay and how
 * to get help; no threats. It names loans by id only (no personal data).
 */
import { type MoneyFormat, moneyFormat } from './money';
import { type Lines, orderedLines, type ReminderKind, type ReminderLine } from './reminders';
import type { Locale } from './types';

/** What a reminder item says, derived from its lines. */
export interface ReminderContent {
  /** The most urgent line's kind. */
  readonly kind: ReminderKind;
  /** The most urgent line's loan's locale. */
  readonly locale: Locale;
  readonly message: string;
}

const TITLES: Record<Locale, Record<ReminderKind, string>> = {
  'zh-CN': {
    CREDIT_REPORT_NOTICE: '【征信提示】',
    PROMISE_BROKEN: '【还款承诺提醒】',
    HARDSHIP_OFFER: '【还款方案】',
    OVERDUE: '【逾期提醒】',
    PAYMENT_DUE_SOON: '【还款提醒】',
  },
  en: {
    CREDIT_REPORT_NOTICE: 'Credit report notice: ',
    PROMISE_BROKEN: 'Promise to pay: ',
    HARDSHIP_OFFER: 'Repayment plan: ',
    OVERDUE: 'Overdue notice: ',
    PAYMENT_DUE_SOON: 'Payment reminder: ',
  },
};

function dueWhenZh(days: number): string {
  if (days === 0) return '今天';
  if (days === 1) return '明天';
  return `${days}天后`;
}

function dueWhenEn(days: number): string {
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  return `in ${days} days`;
}

/** One line's clauses in Chinese, in a fixed order: promise, overdue, notice, offer, due-soon. */
function clausesZh(line: ReminderLine, money: MoneyFormat): string[] {
  const clauses: string[] = [];
  if (line.promiseId !== undefined && line.amount !== undefined && line.until !== undefined) {
    clauses.push(
      `您承诺于${line.until}前还款 ${money(line.amount)}，目前已还 ${money(line.paid ?? 0)}`,
    );
  }
  if (line.dpd !== undefined && line.amountOverdue !== undefined) {
    clauses.push(`已逾期${line.dpd}天，逾期金额 ${money(line.amountOverdue)}`);
  }
  if (line.settlementDate !== undefined) {
    clauses.push(
      `如在${line.settlementDate}前仍未还清，该笔逾期信息将依法报送金融信用信息基础数据库（征信系统）`,
    );
  }
  if (line.offerId !== undefined) {
    clauses.push(
      `如您还款有困难，可申请还款方案（方案编号 ${line.offerId}），可在App中查看或联系客服办理`,
    );
  }
  if (line.installmentSeq !== undefined && line.amountDue !== undefined && line.dueDate) {
    const when = dueWhenZh(line.daysUntilDue ?? 0);
    clauses.push(
      `第${line.installmentSeq}期应还 ${money(line.amountDue)}，将于${when}（${line.dueDate}）到期`,
    );
  }
  return clauses;
}

/** One line's clauses in English, in the same order. */
function clausesEn(line: ReminderLine, money: MoneyFormat): string[] {
  const clauses: string[] = [];
  if (line.promiseId !== undefined && line.amount !== undefined && line.until !== undefined) {
    clauses.push(
      `you promised to pay ${money(line.amount)} by ${line.until} and ${money(line.paid ?? 0)} has been paid`,
    );
  }
  if (line.dpd !== undefined && line.amountOverdue !== undefined) {
    const days = `${line.dpd} ${line.dpd === 1 ? 'day' : 'days'}`;
    clauses.push(`${days} past due, ${money(line.amountOverdue)} overdue`);
  }
  if (line.settlementDate !== undefined) {
    clauses.push(
      `if it is not repaid by ${line.settlementDate}, the overdue will be reported to the credit ` +
        'reference system (the PBoC credit information database), as the law requires',
    );
  }
  if (line.offerId !== undefined) {
    clauses.push(
      `if paying is difficult, you can take up a repayment plan (offer ${line.offerId}) in the app ` +
        'or with our customer service',
    );
  }
  if (line.installmentSeq !== undefined && line.amountDue !== undefined && line.dueDate) {
    const when = dueWhenEn(line.daysUntilDue ?? 0);
    clauses.push(
      `instalment ${line.installmentSeq}, ${money(line.amountDue)}, is due ${when} (${line.dueDate})`,
    );
  }
  return clauses;
}

/** How to pay and where to get help; a due-soon reminder only asks to pay on time. */
function closing(kind: ReminderKind, locale: Locale): string {
  if (kind === 'PAYMENT_DUE_SOON')
    return locale === 'zh-CN' ? '请按时还款。' : 'Please pay on time.';
  return locale === 'zh-CN'
    ? '请尽快通过App或官方渠道还款，以免产生更多费用；如有疑问或还款困难，请联系客服。'
    : 'Please pay in the app or through our official channels as soon as you can, to avoid ' +
        'further charges. If you have questions or difficulty paying, please contact customer service.';
}

/**
 * Renders a reminder of `lines` (at least one) in `locale`: a title for the most urgent kind, one
 * sentence per line in the reminder's order, and how to pay or get help.
 */
export function renderReminderMessage(lines: readonly ReminderLine[], locale: Locale): string {
  const ordered = orderedLines(lines);
  const first = ordered[0];
  if (!first) throw new RangeError('a reminder has at least one line');
  // One formatter per currency of the reminder: building one costs more than formatting with it.
  const formats = new Map<string, MoneyFormat>();
  const moneyIn = (currency: ReminderLine['currency']) => {
    let format = formats.get(currency);
    if (!format) {
      format = moneyFormat(currency, locale);
      formats.set(currency, format);
    }
    return format;
  };
  const sentences = ordered.map((line) =>
    locale === 'zh-CN'
      ? `您的借款（编号 ${line.loanId}）${clausesZh(line, moneyIn(line.currency)).join('，')}。`
      : `Your loan ${line.loanId}: ${clausesEn(line, moneyIn(line.currency)).join('; ')}.`,
  );
  const separator = locale === 'zh-CN' ? '' : ' ';
  return `${TITLES[locale][first.kind]}${sentences.join(separator)}${separator}${closing(first.kind, locale)}`;
}

/** The kind, locale and message of a reminder with these lines (at least one). */
export function reminderContent(lines: Lines): ReminderContent {
  const ordered = orderedLines(lines.values());
  const first = ordered[0];
  if (!first) throw new RangeError('a reminder has at least one line');
  return {
    kind: first.kind,
    locale: first.locale,
    message: renderReminderMessage(ordered, first.locale),
  };
}
