/**
 * The minimum an inbound activity must carry for the bot to answer it. Checked before the adapter
 * sees it, so a malformed request is a 400 naming the field, never a 500 from deep in the SDK.
 */
import { z } from 'zod';

const Account = z.object({ id: z.string().min(1) }).passthrough();

export const InboundActivitySchema = z
  .object({
    type: z.string().min(1),
    channelId: z.string().min(1),
    serviceUrl: z.string().url(),
    conversation: z.object({ id: z.string().min(1) }).passthrough(),
    from: Account.optional(),
    recipient: Account.optional(),
    text: z.string().optional(),
    deliveryMode: z.string().optional(),
  })
  .passthrough();

export type InboundActivity = z.infer<typeof InboundActivitySchema>;

export type ActivityCheck = { success: true; data: InboundActivity } | { success: false; error: z.ZodError };

/**
 * InboundActivitySchema.safeParse, with a fast path: a body that plainly satisfies the schema is returned as
 * it is (no copy), and only the rest goes through zod, which decides (and names what is wrong). zod's object
 * parsing copies every key and costs more than the rest of the request handling before the bot runs. The
 * quick test accepts nothing zod would refuse; it also leaves to zod any object that carries its own
 * `__proto__` key (zod drops those keys), so what reaches the SDK is the same either way.
 */
export function checkActivity(body: unknown): ActivityCheck {
  if (plainlyValid(body)) return { success: true, data: body };
  return InboundActivitySchema.safeParse(body);
}

function plainlyValid(body: unknown): body is InboundActivity {
  if (!isRecord(body)) return false;
  const { type, channelId, serviceUrl, conversation, from, recipient, text, deliveryMode } = body;
  return (
    nonEmptyString(type) &&
    nonEmptyString(channelId) &&
    typeof serviceUrl === 'string' &&
    URL.canParse(serviceUrl) &&
    isRecord(conversation) &&
    nonEmptyString(conversation.id) &&
    (from === undefined || (isRecord(from) && nonEmptyString(from.id))) &&
    (recipient === undefined || (isRecord(recipient) && nonEmptyString(recipient.id))) &&
    (text === undefined || typeof text === 'string') &&
    (deliveryMode === undefined || typeof deliveryMode === 'string')
  );
}

/** A plain JSON object without an own `__proto__` key. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Object.hasOwn(value, '__proto__');
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function describeActivityErrors(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'activity'}: ${i.message}`)
    .join('; ');
}

/**
 * Without Bot Framework authentication anyone can post an activity, and the bot posts its replies
 * to the activity's serviceUrl: keep those replies on this machine (the Emulator, tests, a local
 * Direct Line) so an open port cannot be used to make the bot call arbitrary addresses.
 */
export function isLoopbackUrl(raw: string): boolean {
  let host: string;
  try {
    host = new URL(raw).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
