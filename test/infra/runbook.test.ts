/**
 * The runbook (docs/runbook.md) covers each alarm the stack defines: every alarm is named
 * `<stack>-<Name>` and the runbook has a section naming it.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { render, synthesize } from './synth';

const runbook = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');
let names: string[];

beforeAll(() => {
  const alarms = Object.values(synthesize().template.findResources('AWS::CloudWatch::Alarm'));
  names = alarms.map((alarm) => render(alarm.Properties.AlarmName));
});

describe('the runbook', () => {
  it('knows every alarm by the name CloudWatch shows', () => {
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      expect(name).toMatch(/^OverdueSweep-[A-Za-z]+$/);
      const short = name.replace('OverdueSweep-', '');
      expect(runbook, short).toMatch(new RegExp(`### .*\`<stack>-${short}\``));
    }
  });

  it('names no alarm the stack does not have', () => {
    const headings = runbook.split('\n').filter((line) => line.startsWith('### '));
    const documented = headings.flatMap((line) =>
      [...line.matchAll(/`<stack>-([A-Za-z]+)`/g)].map((m) => m[1]),
    );
    expect(documented.length).toBeGreaterThan(0);
    const defined = new Set(names.map((name) => name.replace('OverdueSweep-', '')));
    for (const name of documented) expect(defined.has(name ?? ''), name).toBe(true);
  });
});
