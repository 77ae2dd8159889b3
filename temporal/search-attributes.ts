// The namespace must know our search attributes before a measure upserts them. On the embedded
// dev server they are given at start; on a real cluster `npm run temporal:setup` registers them,
// and every role checks at start that they are there, naming the missing ones.
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES, type SearchAttributeCliType } from '../workflows/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const INDEXED: Record<SearchAttributeCliType, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

const typeName = (t: number | null | undefined): string =>
  (Object.entries(INDEXED).find(([, v]) => v === t)?.[0] as string | undefined) ?? `type ${t}`;

export interface SearchAttributeGap {
  missing: string[];
  /** Registered under another type: `Name (is Text, must be Keyword)`. */
  wrongType: string[];
}

/** What the namespace lacks of our search attributes (nothing: both lists empty). */
export async function searchAttributeGap(connection: Connection, namespace: string): Promise<SearchAttributeGap> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = listed.customAttributes ?? {};
  const gap: SearchAttributeGap = { missing: [], wrongType: [] };
  for (const { name, type } of SEARCH_ATTRIBUTES) {
    if (!(name in custom)) gap.missing.push(`${name} (${type})`);
    else if (custom[name] !== INDEXED[type])
      gap.wrongType.push(`${name} (is ${typeName(custom[name])}, must be ${type})`);
  }
  return gap;
}

/** Fails with the names of the missing search attributes, and how to register them. */
export async function checkSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const gap = await searchAttributeGap(connection, namespace);
  const problems = [
    ...(gap.missing.length ? [`missing: ${gap.missing.join(', ')}`] : []),
    ...(gap.wrongType.length ? [`registered with another type: ${gap.wrongType.join(', ')}`] : []),
  ];
  if (problems.length)
    throw new Error(
      `Temporal namespace "${namespace}" lacks the search attributes Indsatsflow writes (${problems.join('; ')}). ` +
        'Register them with `npm run temporal:setup` (same TEMPORAL_* environment), or on Temporal Cloud with ' +
        '`tcld namespace search-attributes add`.',
    );
}

/** Registers the missing ones; answers which it added. A wrong type is not changed: that needs a person. */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const gap = await searchAttributeGap(connection, namespace);
  if (gap.wrongType.length)
    throw new Error(
      `namespace "${namespace}" has search attributes with another type: ${gap.wrongType.join(', ')}; ` +
        'remove them (temporal operator search-attribute remove) and run this again',
    );
  const missing = SEARCH_ATTRIBUTES.filter(({ name }) => gap.missing.some((m) => m.startsWith(`${name} `)));
  if (!missing.length) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, INDEXED[type]])),
  });
  return missing.map(({ name }) => name);
}
