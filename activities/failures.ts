// Which failures of an activity are worth retrying. A database that is down, slow or restarting
// is retried (the activity's retry policy); a value the database refuses (SQLSTATE class 22 data
// exception, 23 integrity, 54 program limit) is refused every time, so it is non-retryable: the
// workflow is told at once instead of retrying forever.
import { ApplicationFailure } from '@temporalio/common';

const PERMANENT = /^(22|23|54)/;

export function isPermanentDatabaseError(err: unknown): boolean {
  return PERMANENT.test(String((err as { code?: unknown } | null)?.code ?? ''));
}

/** Runs `work`; a permanent database refusal becomes a non-retryable failure of `type`. The
 *  database's message names the value's kind, never the case (no personal data). */
export async function classified<T>(type: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!isPermanentDatabaseError(err)) throw err;
    const e = err as { code: string; message: string };
    throw ApplicationFailure.create({
      type,
      message: `the database refuses the value (SQLSTATE ${e.code}): ${e.message}`,
      nonRetryable: true,
    });
  }
}
