// PID files in the data folder: which process this service started (or which service owns the
// folder), recorded with its start time and command so that a later run can tell an orphan of its
// own from an unrelated process that happens to have the same PID now.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processCmdline, processStartTime, sameProcess } from './processes';

export interface PidRecord {
  pid: number;
  startTime?: string;
  /** The service process that started it. */
  owner: number;
  ownerStartTime?: string;
  port?: number;
  command: string;
}

export function writePidFile(file: string, rec: Omit<PidRecord, 'startTime' | 'owner' | 'ownerStartTime'>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const full: PidRecord = {
    ...rec,
    startTime: processStartTime(rec.pid),
    owner: process.pid,
    ownerStartTime: processStartTime(process.pid),
  };
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(full));
  fs.renameSync(tmp, file);
}

export function readPidFile(file: string): PidRecord | undefined {
  try {
    const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as PidRecord;
    return Number.isInteger(rec.pid) ? rec : undefined;
  } catch {
    return undefined;
  }
}

export function removePidFile(file: string, pid?: number): void {
  // Only our own record: a newer run may have replaced it.
  if (pid !== undefined && readPidFile(file)?.pid !== pid) return;
  fs.rmSync(file, { force: true });
}

/** The recorded process, if it still runs as the same process with a command line containing `mustContain`. */
export function liveRecorded(rec: PidRecord | undefined, mustContain: string[]): PidRecord | undefined {
  if (!rec || !sameProcess(rec.pid, rec.startTime)) return undefined;
  const cmd = processCmdline(rec.pid);
  if (cmd && !mustContain.every((s) => cmd.includes(s))) return undefined;
  return rec;
}

/** Whether the service that started the recorded process is still running (and is not us). */
export function ownerRunning(rec: PidRecord): boolean {
  return rec.owner !== process.pid && sameProcess(rec.owner, rec.ownerStartTime);
}

/**
 * One service per data folder: two would stop each other's children as stale. Returns a release
 * function; throws, naming the PID, when another live service holds the folder.
 */
export function claimDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'service.pid');
  const rec = readPidFile(file);
  if (rec && rec.pid !== process.pid && sameProcess(rec.pid, rec.startTime)) {
    throw new Error(`another Indsatsflow process (PID ${rec.pid}) is using the data folder ${dataDir}; stop it first`);
  }
  writePidFile(file, { pid: process.pid, command: 'indsatsflow' });
  return () => removePidFile(file, process.pid);
}
