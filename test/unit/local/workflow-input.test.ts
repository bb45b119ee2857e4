/**
 * The execution input `npm start` gives each business day (local/workflow.ts): the daily
 * schedule's event once its 00:30 has passed, otherwise an operator's payload, since the sweep
 * rejects a scheduled time in the future.
 */
import { describe, expect, it } from 'vitest';
import type { BusinessDate } from '../../../functions/core/types';
import { dayExecutionInput } from '../../../local/workflow';

const day = (text: string) => text as BusinessDate;

describe("a local day's execution input", () => {
  it("is the schedule's event at 00:30 business time once that instant has passed", () => {
    const input = dayExecutionInput(day('2026-11-28'), {
      dryRun: false,
      timeZone: 'Asia/Shanghai',
      now: new Date('2026-11-28T01:00:00Z'),
    });
    // 00:30 in Shanghai (UTC+8) on the 28th is 16:30 UTC on the 27th.
    expect(input).toEqual({ scheduledTime: '2026-11-27T16:30:00.000Z' });
  });

  it("is an operator's asOf before today's 00:30, whose scheduled time would lie in the future", () => {
    const input = dayExecutionInput(day('2026-11-28'), {
      dryRun: false,
      timeZone: 'Asia/Shanghai',
      now: new Date('2026-11-27T16:20:00Z'),
    });
    expect(input).toEqual({ asOf: '2026-11-28' });
  });

  it('follows the zone across a daylight-saving change', () => {
    // New York on 2026-03-08: 00:30 is still EST (UTC−5); the change comes at 02:00.
    const input = dayExecutionInput(day('2026-03-08'), {
      dryRun: false,
      timeZone: 'America/New_York',
      now: new Date('2026-03-09T00:00:00Z'),
    });
    expect(input).toEqual({ scheduledTime: '2026-03-08T05:30:00.000Z' });
  });

  it("is an operator's dry run for a dry run, whatever the date", () => {
    const input = dayExecutionInput(day('2027-01-01'), {
      dryRun: true,
      timeZone: 'Asia/Shanghai',
      now: new Date('2026-11-28T01:00:00Z'),
    });
    expect(input).toEqual({ asOf: '2027-01-01', dryRun: true });
  });
});
