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
