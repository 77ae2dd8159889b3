// Opaque cursors for keyset pagination: the list's name and the key of the last row shown,
// base64url-encoded. Opaque to clients (the shape may change); a cursor of another list, or one
// that is not ours, is refused rather than silently starting over.
export class InvalidCursor extends Error {
  /** Answered as a 400 by the API's error handler. */
  readonly statusCode = 400;
  constructor() {
    super('the cursor is not one this list gave out; start again without it');
    this.name = 'InvalidCursor';
  }
}

export function encodeCursor(list: string, key: string): string {
  return Buffer.from(JSON.stringify([list, key])).toString('base64url');
}

export function decodeCursor(cursor: string, list: string): string {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(v) && v.length === 2 && v[0] === list && typeof v[1] === 'string') return v[1];
  } catch {
    // falls through to the refusal
  }
  throw new InvalidCursor();
}
