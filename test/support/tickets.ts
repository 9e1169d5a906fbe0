/** Test data for tickets: an escalation record as the engine emits it. */
import type { EscalationRecord } from '../../src/engine/types';
import { emptyEntities } from '../../src/recognizer/types';

export function ticketRecord(problem = 'password-locked', severity: EscalationRecord['severity'] = 'high'): EscalationRecord {
  return {
    problem,
    category: 'login',
    severity,
    title: 'Account locked',
    reason: 'Still locked after waiting',
    userWords: 'too many password errors',
    answers: [{ treeId: problem, nodeId: 'q1', question: 'Which client?', answer: 'Outlook' }],
    stepsTried: ['Closed every mail client'],
    entities: emptyEntities(),
    role: 'employee',
    transcript: [
      { from: 'user', text: 'too many password errors', at: '2024-05-01T10:00:00.000Z' },
      { from: 'bot', text: 'Did that fix it?', at: '2024-05-01T10:00:01.000Z' },
    ],
    at: '2024-05-01T10:00:02.000Z',
  };
}
