export { createTriageService, MissingTreeError, type TriageCore, type TriageService } from './triage-service';
export { checkId, checkText, parseInputLine, MAX_TEXT_BYTES, type ParsedLine } from './input';
export { isTriageError, type TriageAlternative, type TriageEntities, type TriageError, type TriageId, type TriageOutput, type TriageResult } from './types';
