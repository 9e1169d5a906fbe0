/**
 * A postmaster's reply to a ticket opened from web chat (the built-in Direct Line) appears in that web
 * chat conversation: appended to its transcript after everything it has, so polling sees it, and pushed
 * to its open WebSocket stream. Through the real app with the real core and a ticket desk.
 */
import WebSocket from 'ws';
import { eventually, getActivities, postActivity, realCoreOnce, startConversation, textOf, TEST_TOKEN_SECRET, type ActivityJson } from '../../support/directline';
import { useTicketApp, type TicketApp } from '../../support/ticket-app';

const TOKEN = 'admin-directline-token-0123456789';

const startApp = useTicketApp(realCoreOnce);
const start = (): Promise<TicketApp> => startApp({ ADMIN_TOKEN: TOKEN, DIRECT_LINE_TOKEN_SECRET: TEST_TOKEN_SECRET });

function patch(base: string, id: string, body: unknown): Promise<Response> {
  return fetch(`${base}/api/tickets/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

test('the reply is appended to the web chat transcript (polling) and pushed to the open stream; the answer goes back onto the ticket', async () => {
  const { base, tickets } = await start();
  const messages = realCoreOnce().catalog.messages;
  const c = await startConversation(base);
  await postActivity(base, c, { type: 'message', text: 'talk to a person' });
  const afterEscalation = await getActivities(base, c);
  expect(afterEscalation.body.activities.map(textOf).join('\n')).toContain('MAIL-00001');
  expect(tickets.store.conversationRef('MAIL-00001')).toMatchObject({ channelId: 'directline', conversation: { id: c.conversationId } });

  const pushed: ActivityJson[] = [];
  const ws = new WebSocket(c.streamUrl.replace('watermark=0', `watermark=${afterEscalation.body.watermark}`));
  ws.on('message', (data) => {
    if (String(data) !== '') pushed.push(...(JSON.parse(String(data)) as { activities: ActivityJson[] }).activities);
  });
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  try {
    const res = await patch(base, 'MAIL-00001', { status: 'waiting-for-user', reply: 'Does it happen on your phone too?' });
    expect(await res.json()).toMatchObject({ replyDelivered: true });

    const polled = await getActivities(base, c, afterEscalation.body.watermark);
    expect(polled.body.activities).toHaveLength(1);
    const reply = polled.body.activities[0] as ActivityJson;
    expect(reply.from).toMatchObject({ role: 'bot' });
    expect(reply.id).toBe(`${c.conversationId}|${polled.body.watermark.padStart(7, '0')}`);
    expect(textOf(reply)).toContain('Does it happen on your phone too?');
    expect(textOf(reply)).toContain(messages.postmasterReplyAnswerHere.replace('{ticketId}', 'MAIL-00001'));

    const streamed = await eventually(() => pushed.find((a) => textOf(a).includes('Does it happen on your phone too?')), 5000, 'the reply on the stream');
    expect(streamed.id).toBe(reply.id);

    await postActivity(base, c, { type: 'message', text: 'yes, on my phone too' });
    const answered = await getActivities(base, c, polled.body.watermark);
    expect(answered.body.activities.map(textOf)).toEqual(['yes, on my phone too', messages.ticketReplyAdded.replace('{ticketId}', 'MAIL-00001')]);
    expect(tickets.get('MAIL-00001')).toMatchObject({ status: 'in-progress' });
    expect(tickets.get('MAIL-00001')?.events.at(-1)).toMatchObject({ kind: 'user-reply', text: 'yes, on my phone too' });
  } finally {
    ws.close();
  }
});
