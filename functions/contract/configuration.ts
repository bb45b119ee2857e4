/**
 * The checks a function's configuration must pass, shared by the runtime (at cold start) and the
 * stack (at synth), so a deployment the functions would refuse is refused before it is deployed.
 */
import { ContactPolicyError, parseContactPolicy } from '../core/contact-policy';
import { DEFAULT_BUSINESS_TIMEZONE, isValidTimeZone } from '../core/dates';
import { PolicyConfigError, parsePolicyBook } from '../core/policy';

/** The business time zone when `BUSINESS_TIMEZONE` is not set. */
export { DEFAULT_BUSINESS_TIMEZONE };

/** The problem with `zone` as the business time zone, if any. */
export function timeZoneProblem(zone: string): string | undefined {
  return isValidTimeZone(zone) ? undefined : `${JSON.stringify(zone)} is not an IANA time zone`;
}

/**
 * The problems of a `FEE_POLICY` JSON text, each naming the field (empty when it is valid).
 * @param json the variable's value as the function would read it.
 */
export function feePolicyProblems(json: string): readonly string[] {
  try {
    parsePolicyBook(json);
    return [];
  } catch (error) {
    if (error instanceof PolicyConfigError) return error.problems;
    throw error;
  }
}

/**
 * The problems of a `CONTACT_POLICY` JSON text (the reminder's contact window and weekly cap),
 * each naming the field (empty when it is valid).
 * @param json the variable's value as the reminder function would read it.
 */
export function contactPolicyProblems(json: string): readonly string[] {
  try {
    parseContactPolicy(json);
    return [];
  } catch (error) {
    if (error instanceof ContactPolicyError) return error.problems;
    throw error;
  }
}
