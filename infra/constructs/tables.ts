/**
 * The four DynamoDB tables, built from the shared definitions (keys, indexes, TTL) so the stack,
 * the local run and the tests cannot drift apart.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type KeyAttribute, TABLES, type TableDefinition } from '../../functions/contract/tables';

type TableId = TableDefinition['id'];

function attribute(key: KeyAttribute): dynamodb.Attribute {
  const type = key.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING;
  return { name: key.name, type };
}

/** On-demand, point-in-time recovery, retained on stack deletion, AWS-managed encryption. */
export class DataTables extends Construct {
  private readonly byId = new Map<TableId, dynamodb.Table>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const definition of TABLES) {
      const table = new dynamodb.Table(this, definition.id, {
        partitionKey: attribute(definition.partitionKey),
        ...(definition.sortKey && { sortKey: attribute(definition.sortKey) }),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        // Loans, the ledger and reminders are financial records: never dropped with the stack.
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
        ...(definition.timeToLiveAttribute && {
          timeToLiveAttribute: definition.timeToLiveAttribute,
        }),
        ...(definition.stream && { stream: dynamodb.StreamViewType[definition.stream] }),
      });
      for (const index of definition.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey && { sortKey: attribute(index.sortKey) }),
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.byId.set(definition.id, table);
    }
  }

  /** The table built from the definition with this id. */
  table(id: TableId): dynamodb.Table {
    const table = this.byId.get(id);
    if (!table) throw new Error(`no table ${id}`);
    return table;
  }
}
