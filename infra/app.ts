/**
 * The CDK app: one OverdueSweepStack configured from context, checked by cdk-nag's AwsSolutions
 * pack during synthesis (an unacknowledged finding fails `cdk synth`).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStackConfig, stackEnvironment } from './config';
import { OverdueSweepStack } from './stack';

/** Stack name in CloudFormation. */
export const STACK_NAME = 'OverdueSweep';

const app = new App();
const config = readStackConfig(app.node, { cliRegion: process.env.CDK_DEFAULT_REGION });
new OverdueSweepStack(app, STACK_NAME, {
  description: 'overdue-sweep: daily overdue sweep, reminders and portfolio report',
  env: stackEnvironment(config),
  config,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
