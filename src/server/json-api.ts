/**
 * What every JSON route of the server shares: the error shape (`{"error": {"code", "message"}}`, never a
 * stack trace), reading a JSON body under a size limit, and 415 for a body that is not JSON.
 */
import restify, { type Next, type Request, type Response } from 'restify';

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Reads the body (413 past `maxBodySize` bytes) and parses it when it is JSON; the other types pass through. */
export function readJsonBody(maxBodySize: number) {
  return [restify.plugins.bodyReader({ maxBodySize }), restify.plugins.jsonBodyParser({ bodyReader: true, mapParams: false })];
}

/** 415 with `sendAs` ("Send the activity as application/json.") unless the request body is JSON. */
export function requireJson(sendAs: string) {
  return (req: Request, res: Response, next: Next) => {
    if (req.is('json')) return next();
    res.send(415, errorBody('UnsupportedMediaType', sendAs));
    return next(false);
  };
}
