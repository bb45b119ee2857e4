/**
 * The operations dashboard (issue 13): present in the template, showing each widget group the
 * morning's first look needs, every alarm of the stack, and named by the stack's outputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../functions/contract/observability';
import { logicalId, render, type Synthesized, synthesize } from './synth';

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly metrics?: unknown[][];
    readonly alarms?: string[];
  };
}

let synth: Synthesized;
let widgets: Widget[];

beforeAll(() => {
  synth = synthesize();
  const dashboards = Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = render(dashboards[0]?.Properties.DashboardBody);
  widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;
});

const titled = (text: string) =>
  widgets.filter((w) => (w.properties.title ?? '').toLowerCase().includes(text.toLowerCase()));
describe('the operations dashboard', () => {
  it.each([
    'Last run',
    'Delinquency buckets per day',
    'Charges and reversals per day',
    'workflow executions',
    'Per-shard durations',
    'Lambda errors',
    'Lambda throttles',
    'Event publishing:',
    'Event publishing problems',
    'Borrower reminders per day',
    'Reminder lines not given',
    'Reports: events counted',
    'Charges counted by the reports',
    'DynamoDB throttled requests',
    'DynamoDB consumed capacity',
    'Queue depths',
    'Dead-letter queues',
    'Alarms',
  ])('shows %s', (title) => {
    expect(titled(title)).toHaveLength(1);
  });

  it("shows last night's run from the sweep's own metrics", () => {
    const lastRun = JSON.stringify(titled('Last run')[0]);
    for (const name of [
      METRIC_NAMES.sweep.loansExamined,
      METRIC_NAMES.sweep.loansOverdue,
      METRIC_NAMES.sweep.loansCharged,
      METRIC_NAMES.sweep.loansChargedOff,
      METRIC_NAMES.sweep.eventsRecorded,
      METRIC_NAMES.sweep.loansSkipped,
      METRIC_NAMES.sweep.runDuration,
      METRIC_NAMES.sweep.completed,
    ]) {
      expect(lastRun).toContain(`"${name}"`);
    }
  });

  it('stacks the buckets M1–M7 from the reporting metrics, one series each', () => {
    const buckets = JSON.stringify(titled('Delinquency buckets')[0]);
    for (const bucket of ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7']) {
      expect(buckets).toContain(`"bucket","${bucket}"`);
    }
    expect(buckets).not.toContain('"bucket","M0"');
    expect(buckets).toContain(METRIC_NAMES.reporting.overdueLoans);
  });

  it('shows every metric the publisher, the reminder and the reporting function emit', () => {
    // A series names its metric and dimensions ([namespace, name, key, value, …]); a SEARCH
    // expression names them in its query.
    const shown = new Set<string>();
    for (const widget of widgets) {
      for (const series of widget.properties.metrics ?? []) {
        const [first, name, ...rest] = series;
        if (typeof first === 'string' && typeof name === 'string') {
          const service = rest[rest.indexOf('service') + 1];
          shown.add(`${String(service)} ${name}`);
        }
        const expression = (first as { expression?: string } | undefined)?.expression ?? '';
        const searched = /MetricName="([^"]+)" service="([^"]+)"/.exec(expression);
        if (searched) shown.add(`${searched[2]} ${searched[1]}`);
      }
    }
    for (const service of ['publisher', 'reminder', 'reporting'] as const) {
      for (const name of Object.values(METRIC_NAMES[service])) {
        expect(shown.has(`${service} ${name}`), `${service} ${name}`).toBe(true);
      }
    }
  });

  it('shows the state of every alarm of the stack', () => {
    const alarmIds = Object.keys(synth.template.findResources('AWS::CloudWatch::Alarm'));
    const shown = (titled('Alarms')[0]?.properties.alarms ?? []).map((arn) => arn);
    expect(shown).toHaveLength(alarmIds.length);
    for (const id of alarmIds) expect(shown.join(' ')).toContain(`<${id}.Arn>`);
  });

  it('its name and a direct link are stack outputs', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const dashboardId = logicalId(synth.stack, synth.stack.dashboard.dashboard);
    expect(outputs.DashboardName?.Value).toEqual({ Ref: dashboardId });
    expect(render(outputs.DashboardUrl?.Value)).toMatch(
      /^https:\/\/.*console\.aws\.amazon\.com\/cloudwatch\/home\?region=.*#dashboards\/dashboard\/<.+>$/,
    );
  });
});
