/**
 * A limit on how deeply a JSON body may nest. Parsing a deep body is fine (V8's JSON.parse does not
 * recurse), but everything after it that walks the value recursively — JSON.stringify when the activity is
 * stored or answered, validation, the SDK — overflows the stack somewhere past a few thousand levels and
 * turns a client's mistake into a 500. No activity, Adaptive Card or triage batch nests anywhere near this.
 */
import type { Next, Request, Response } from 'restify';
import { errorBody } from './json-api';

export const MAX_JSON_DEPTH = 64;

/** True when `value` has arrays or objects nested more than `max` levels deep (checked without recursion). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** A restify handler for after the JSON body parser: 400 for a body nested deeper than `max`. */
export function rejectDeepJson(max = MAX_JSON_DEPTH) {
  return (req: Request, res: Response, next: Next) => {
    if (!nestedDeeperThan(req.body, max)) return next();
    res.send(400, errorBody('BadRequest', `The JSON body is nested more than ${max} levels deep.`));
    return next(false);
  };
}
