// `npm run coverage`: writes policies/COVERAGE.md and exits non-zero if any seed rule is MISSING.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverageMarkdown } from '../policies/coverage';
import { coverage } from './coverage-report';

const rows = coverage();
writeFileSync(join(__dirname, '..', 'policies', 'COVERAGE.md'), coverageMarkdown(rows) + '\n');
const missing = rows.filter((r) => r.status === 'MISSING');
console.log(`${new Set(rows.map((r) => r.recordId)).size} measures, ${rows.length} rules; ${missing.length} missing`);
for (const r of missing) console.log(`MISSING ${r.recordId} l.${r.lines}: ${r.rule}`);
process.exit(missing.length ? 1 : 0);
