/**
 * The `pre…` npm step of `npm start`, `npm test` and `npm run bench`: a small process that stops
 * the command at once, with exit code 2 and what to install, when no Java runtime 17+ is on the
 * PATH, before the command loads anything heavy (the scripts check again themselves, for direct
 * `npx tsx scripts/…` runs).
 */
import { exitUnlessJava } from '../local/java';

/** `npm start` / `npm test` / `npm run bench`, from the lifecycle event npm runs us for. */
function commandName(lifecycleEvent = 'test'): string {
  const script = lifecycleEvent.replace(/^pre/, '');
  return ['start', 'test'].includes(script) ? `npm ${script}` : `npm run ${script}`;
}

exitUnlessJava(commandName(process.env.npm_lifecycle_event));
