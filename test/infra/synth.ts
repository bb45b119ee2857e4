/**
 * Synthesizes the stack the way `cdk synth` does (cdk.json's context and feature flags) but
 * without bundling, and reads the template's IAM grants back in a form tests can compare.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { type ConfigSources, readStackConfig, stackEnvironment } from '../../infra/config';
import { OverdueSweepStack } from '../../infra/stack';

interface CdkJson {
  readonly context: Record<string, unknown>;
}

const cdkJson = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
) as CdkJson;

/** A synthesized stack and its template. */
export interface Synthesized {
  readonly app: App;
  readonly stack: OverdueSweepStack;
  readonly template: Template;
}

/**
 * Builds the app as `infra/app.ts` does, with cdk.json's context plus `context` (and, like the
 * CDK CLI, the region it would deploy to, if given); bundling skipped (it only costs time).
 */
export function synthesize(
  context: Record<string, unknown> = {},
  sources: ConfigSources = {},
): Synthesized {
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const config = readStackConfig(app.node, sources);
  const env = stackEnvironment(config);
  const stack = new OverdueSweepStack(app, 'OverdueSweep', { config, ...(env && { env }) });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  return stack.getLogicalId(resource as CfnElement);
}

/** Renders an ARN expression readably: `<Id.Arn>`, `<Id>`, joins concatenated. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    if (typeof record.Ref === 'string') return `<${record.Ref}>`;
    const join = record['Fn::Join'];
    if (Array.isArray(join)) {
      const [separator, parts] = join as [string, unknown[]];
      return parts.map(render).join(separator);
    }
  }
  return JSON.stringify(value);
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/**
 * Every Allow grant of the role's identity policies: rendered resource → actions.
 * @param roleId logical id of the role
 */
export function grantsOf(template: Template, roleId: string): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>();
  const policies = template.findResources('AWS::IAM::Policy');
  for (const policy of Object.values(policies)) {
    const properties = policy.Properties as {
      Roles: unknown[];
      PolicyDocument: { Statement: Record<string, unknown>[] };
    };
    if (!properties.Roles.some((role) => render(role) === `<${roleId}>`)) continue;
    for (const statement of properties.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') continue;
      for (const resource of asArray(statement.Resource).map(render)) {
        const actions = grants.get(resource) ?? new Set<string>();
        for (const action of asArray(statement.Action)) actions.add(String(action));
        grants.set(resource, actions);
      }
    }
  }
  return grants;
}
