/**
 * Custom search attributes of the Indsatsflow namespace.
 *
 * Imported by workflow code (sandbox): import only from '@temporalio/common'.
 *
 * Registered when the dev server starts (`--search-attribute Name=Type`); registering after start
 * races a server cache (temporal#4017). SQL/SQLite visibility allows per namespace at most
 * 10 Keyword, 3 Datetime, 3 Int, 3 Bool, 3 Double and 3 Text custom attributes.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Type names as the Temporal CLI (`--search-attribute Name=Type`) spells them. */
export type SearchAttributeCliType = 'Keyword' | 'Int' | 'Datetime' | 'Bool' | 'Double' | 'Text';

export interface SearchAttributeDef {
  readonly name: string;
  readonly type: SearchAttributeCliType;
}

/** Typed keys for `upsertSearchAttributes` / `typedSearchAttributes`. */
export const SA = {
  Municipality: defineSearchAttributeKey('Municipality', SearchAttributeType.KEYWORD),
  MeasureType: defineSearchAttributeKey('MeasureType', SearchAttributeType.KEYWORD),
  Package: defineSearchAttributeKey('Package', SearchAttributeType.KEYWORD),
  MeasureState: defineSearchAttributeKey('MeasureState', SearchAttributeType.KEYWORD),
  NextDeadlineKind: defineSearchAttributeKey('NextDeadlineKind', SearchAttributeType.KEYWORD),
  NextDeadline: defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME),
  OverdueSince: defineSearchAttributeKey('OverdueSince', SearchAttributeType.DATETIME),
  EscalationLevel: defineSearchAttributeKey('EscalationLevel', SearchAttributeType.INT),
  CaseworkerId: defineSearchAttributeKey('CaseworkerId', SearchAttributeType.KEYWORD),
  TeamId: defineSearchAttributeKey('TeamId', SearchAttributeType.KEYWORD),
} as const;

export type SearchAttributeName = keyof typeof SA;

const CLI_TYPE: Record<string, SearchAttributeCliType> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.TEXT]: 'Text',
};

/** All custom search attributes, as `{ name, type }` with the CLI's type names. */
export const SEARCH_ATTRIBUTES: readonly SearchAttributeDef[] = Object.values(SA).map((key) => {
  const type = CLI_TYPE[key.type];
  if (!type) throw new Error(`search attribute ${key.name}: unsupported type ${key.type}`);
  return { name: key.name, type };
});
