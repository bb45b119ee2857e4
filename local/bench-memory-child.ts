/**
 * A direct sweep in a process of its own, for `npm run bench`'s memory figures (bench-workflow.ts):
 * the tables and endpoints come from the environment, the business date from BENCH_AS_OF; prints
 * the loans swept, the CPU time per loan and the peak memory as one JSON line.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadSweepConfig } from '../functions/sweep/config';
import type { DirectRunSummary } from '../functions/sweep/service';
import { createSweep } from '../functions/sweep/wiring';
import { memoryPeaks } from './meters';

const sweep = createSweep({ dynamodb: new DynamoDBClient({}) }, loadSweepConfig(process.env));
const memory = memoryPeaks();
const cpu = process.cpuUsage();
const summary = (await sweep.handle(
  { asOf: process.env.BENCH_AS_OF },
  { exhausted: () => false },
)) as DirectRunSummary;
const peaks = memory.stop();
const { user, system } = process.cpuUsage(cpu);
const line = JSON.stringify({
  loans: summary.loansExamined,
  // CPU time of this process (microseconds → ms) per loan: the sweep's own work, without the
  // database's; what a Lambda's share of a vCPU has to do per loan.
  cpuMsPerLoan: summary.loansExamined > 0 ? (user + system) / 1000 / summary.loansExamined : 0,
  peakRssBytes: peaks.rssBytes,
  peakLiveHeapBytes: peaks.liveHeapBytes ?? null,
});
// The SDK's keep-alive sockets would hold the process open: exit once the line is written.
process.stdout.write(`${line}\n`, () => process.exit(0));
