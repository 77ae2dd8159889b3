// The database a command line tool works on: DATABASE_URL, else the embedded PostgreSQL of the
// data folder (INDSATSFLOW_DATA, default .data) — the running one when `npm start` has it up
// (its port is in postmaster.pid), or started for the duration of the command.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_NAME, PASSWORD, startPostgres, USER } from './postgres';

function runningPort(dir: string): number | undefined {
  const file = join(dir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

export async function openDatabase(dataDir = process.env.INDSATSFLOW_DATA ?? '.data') {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const dir = join(resolve(dataDir), 'postgres');
  const port = runningPort(dir);
  if (port)
    return {
      url: `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${DATABASE_NAME}`,
      stop: async () => undefined,
    };
  return startPostgres({ dataDir: dir });
}
