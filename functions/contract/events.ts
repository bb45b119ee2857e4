/**
 * The events the sweep records and the consumers receive: their types, the SNS message attributes
 * that subscription filter policies match on, and which consumer subscribes to what
 * (docs/contract.md, Events).
 */

/** Every event type, in the order the sweep records them for one loan. */
export const EVENT_TYPES = [
  'loan.payment_due_soon',
  'loan.overdue',
  'loan.fee_applied',
  'loan.charges_reversed',
  'loan.delinquency_changed',
  'loan.risk_class_changed',
  'loan.credit_hold',
  'loan.credit_released',
  'loan.credit_report_notice',
  'loan.hardship_offer',
  'loan.promise_kept',
  'loan.promise_broken',
  'loan.charged_off',
  'sweep.completed',
] as const;

/** The type of an event. */
export type EventType = (typeof EVENT_TYPES)[number];

/** Delinquency buckets (30-day steps of days past due, the PBoC credit-report steps). */
export const BUCKETS = ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'] as const;

/** A delinquency bucket. */
export type Bucket = (typeof BUCKETS)[number];

/** The five-category loan classification (五级分类), from the best to the worst. */
export const RISK_CLASSES = [
  'NORMAL',
  'SPECIAL_MENTION',
  'SUBSTANDARD',
  'DOUBTFUL',
  'LOSS',
] as const;

/** A loan's risk class; a loan without one counts as `NORMAL`. */
export type RiskClass = (typeof RISK_CLASSES)[number];

/** The SNS message attributes every event may carry, by their names on the wire. */
export const MESSAGE_ATTRIBUTES = {
  /** Every event (String). */
  eventType: 'eventType',
  /** Loan events: the loan's delinquency bucket after the assessment (String). */
  bucket: 'bucket',
  /** Loan events: the loan's days past due after the assessment (Number). */
  dpd: 'dpd',
} as const;

/**
 * The event types the reminder queue receives: those that can give a loan a line in its borrower's
 * reminder (docs/contract.md, Reminders).
 */
export const REMINDER_EVENT_TYPES = [
  'loan.payment_due_soon',
  'loan.overdue',
  'loan.credit_report_notice',
  'loan.hardship_offer',
  'loan.promise_broken',
] as const satisfies readonly EventType[];

/** An event type the reminder queue receives. */
export type ReminderEventType = (typeof REMINDER_EVENT_TYPES)[number];

/** The reminder queue's subscription filter policy (on the `eventType` attribute). */
export const REMINDER_FILTER_POLICY = {
  [MESSAGE_ATTRIBUTES.eventType]: REMINDER_EVENT_TYPES,
} as const;

/** A subscription of a queue to the events topic, raw message delivery. */
export interface SubscriptionDefinition {
  readonly id: 'Reminder' | 'Reporting';
  /** Subscription filter policy on message attributes; undefined = every event. */
  readonly filterPolicy?: Readonly<Record<string, readonly string[]>>;
}

export const REMINDER_SUBSCRIPTION: SubscriptionDefinition = {
  id: 'Reminder',
  filterPolicy: REMINDER_FILTER_POLICY,
};

/** The reporting queue receives every event. */
export const REPORTING_SUBSCRIPTION: SubscriptionDefinition = { id: 'Reporting' };

export const SUBSCRIPTIONS = [REMINDER_SUBSCRIPTION, REPORTING_SUBSCRIPTION] as const;
