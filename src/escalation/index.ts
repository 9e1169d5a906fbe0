export type { EscalationContext, EscalationSink, Requester, StoredEscalation, KeyValueStore } from './types';
export { StorageEscalationSink, formatTicketId, ESCALATION_PREFIX } from './storage-sink';
