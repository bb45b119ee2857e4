/**
 * Least-privilege statements written out action by action, so a reader (and cdk-nag) sees exactly
 * what each function may do; the CDK `grant*` helpers would add actions and wildcard index ARNs.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';

/** DynamoDB item actions (TransactWriteItems is authorised per item by these). */
export type DynamoAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem';

/** Allows `actions` on the table itself and, for `indexActions`, on the named indexes only. */
export function allowTable(
  role: iam.IRole,
  table: dynamodb.ITable,
  actions: readonly DynamoAction[],
  indexes: { names: readonly string[]; actions: readonly DynamoAction[] } = {
    names: [],
    actions: [],
  },
): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: [...actions], resources: [table.tableArn] }),
  );
  if (indexes.names.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...indexes.actions],
        resources: indexes.names.map((name) => `${table.tableArn}/index/${name}`),
      }),
    );
  }
}

/** Allows Publish (which also authorises PublishBatch) and the key use an encrypted topic needs. */
export function allowPublish(role: iam.IRole, topic: sns.ITopic, key: kms.IKey): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
    }),
  );
}
