// Every table's SQL, one repository per table family, over one pool.
import type { Pool } from 'pg';
import { ApiKeyRepository } from './api-keys';
import { AuditRepository } from './audit';
import { EscalationRepository } from './escalations';
import { InboxRepository } from './inbox';
import { MeasureRepository } from './measures';
import { PolicyVersionRepository } from './policy-versions';
import { RolloutRepository } from './rollouts';

export interface Repositories {
  measures: MeasureRepository;
  escalations: EscalationRepository;
  inbox: InboxRepository;
  policyVersions: PolicyVersionRepository;
  rollouts: RolloutRepository;
  apiKeys: ApiKeyRepository;
  audit: AuditRepository;
}

export function createRepositories(pool: Pool): Repositories {
  return {
    measures: new MeasureRepository(pool),
    escalations: new EscalationRepository(pool),
    inbox: new InboxRepository(pool),
    policyVersions: new PolicyVersionRepository(pool),
    rollouts: new RolloutRepository(pool),
    apiKeys: new ApiKeyRepository(pool),
    audit: new AuditRepository(pool),
  };
}
