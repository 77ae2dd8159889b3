// `npm run maintenance -- <command>`: operators' repairs against Temporal (TEMPORAL_ADDRESS,
// default 127.0.0.1:7233; TEMPORAL_NAMESPACE, default "default"). The service also runs
// end-ungranted once at start.
//
//   end-ungranted [--dry-run] [--older-than-minutes N]
import { Client, Connection } from '@temporalio/client';
import { parseArgs } from 'node:util';
import { endUngranted } from './maintenance/end-ungranted';

const USAGE = `usage: npm run maintenance -- <command>
  end-ungranted [--dry-run] [--older-than-minutes N]   end measure workflows left in state "new" (never granted)`;

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, 'older-than-minutes': { type: 'string' } },
  });
  if (positionals[0] !== 'end-ungranted') {
    console.error(USAGE);
    process.exit(2);
  }
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const ended = await endUngranted(client, {
      dryRun: values['dry-run'],
      olderThanMs: Number(values['older-than-minutes'] ?? 5) * 60_000,
    });
    for (const id of ended) console.log(`${values['dry-run'] ? 'would end' : 'ended'} ${id}`);
    console.log(`${ended.length} measure workflow(s) never granted${values['dry-run'] ? ' (dry run)' : ' ended'}`);
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
