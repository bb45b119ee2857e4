/**
 * The `nextDueDate` a loan carries while its outbox holds events SNS has not accepted yet
 * (SPEC §5, no lost events): it must stay findable by the next run's index query even when the
 * update takes the loan out of the candidates (charged off, paid, next due date beyond the horizon).
 */
import type { BusinessDate } from '../core/types';

/**
 * The index key to hold while events are pending.
 * @param current the item's `nextDueDate` as read (≤ `horizon` when found by the index query)
 * @param final the key the loan gets once its outbox is empty (null: leaves the index)
 * @returns a date ≤ `horizon`: `final` when it is earlier than `current`, else `current`; when the
 *   item carries no usable key (read by id), `final` if within the horizon, else `asOf`.
 */
export function indexKeyWhilePending(
  current: BusinessDate | undefined,
  final: BusinessDate | null,
  asOf: BusinessDate,
  horizon: BusinessDate,
): BusinessDate {
  if (current !== undefined && current <= horizon) {
    return final !== null && final < current ? final : current;
  }
  return final !== null && final <= horizon ? final : asOf;
}
