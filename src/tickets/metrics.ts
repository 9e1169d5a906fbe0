/**
 * The numbers a helpdesk runs on, over a period: conversations, flows started, resolved by the bot,
 * escalated, abandoned, per problem, per day (the trend), the messages the bot did not understand, the
 * tickets by status, and the average of the optional ratings. Counted from the conversation events and
 * ratings HelpdeskBot records each turn.
 */
import type { StoredConversationEvent, StoredRating, TicketStore } from './ticket-store';

export interface ProblemStats {
  problem: string;
  started: number;
  resolved: number;
  escalated: number;
  abandoned: number;
}

export interface DayStats {
  day: string;
  conversations: number;
  resolved: number;
  escalated: number;
  abandoned: number;
}

export interface HelpdeskStats {
  from: string;
  to: string;
  /** Conversations in which anything countable happened. */
  conversations: number;
  flowsStarted: number;
  resolved: number;
  escalated: number;
  abandoned: number;
  unrecognized: number;
  perProblem: ProblemStats[];
  perDay: DayStats[];
  /** The latest messages the bot did not understand, newest first. */
  unrecognizedMessages: { at: string; text: string }[];
  ticketsByStatus: Record<string, number>;
  /** The optional 1–5 ratings given after resolved flows in the period. */
  ratings: RatingStats;
}

export interface RatingStats {
  count: number;
  /** Mean of the ratings, to one decimal; null when none was given. */
  average: number | null;
  /** How many of each score, 1 to 5. */
  perScore: [number, number, number, number, number];
}

const UNRECOGNIZED_SHOWN = 50;

function ratingStats(ratings: readonly StoredRating[]): RatingStats {
  const perScore: RatingStats['perScore'] = [0, 0, 0, 0, 0];
  for (const r of ratings) perScore[r.rating - 1] += 1;
  const sum = ratings.reduce((total, r) => total + r.rating, 0);
  return { count: ratings.length, average: ratings.length > 0 ? Math.round((10 * sum) / ratings.length) / 10 : null, perScore };
}

/** "4.3 (12 ratings)", or "–" when there are none: how the dashboard and the report show it. */
export function formatRating(ratings: RatingStats): string {
  if (ratings.average === null) return '–';
  return `${ratings.average.toFixed(1)} (${ratings.count} rating${ratings.count === 1 ? '' : 's'})`;
}

export function helpdeskStats(store: TicketStore, from: Date, to: Date): HelpdeskStats {
  const events = store.conversationEvents(from, to);
  const count = (type: StoredConversationEvent['type']) => events.filter((e) => e.type === type).length;
  const problems = new Map<string, ProblemStats>();
  const days = new Map<string, DayStats & { ids: Set<string> }>();
  for (const e of events) {
    const day = e.at.slice(0, 10);
    const d = days.get(day) ?? { day, conversations: 0, resolved: 0, escalated: 0, abandoned: 0, ids: new Set<string>() };
    d.ids.add(`${e.channelId}|${e.conversationId}`);
    if (e.type === 'resolved' || e.type === 'escalated' || e.type === 'abandoned') d[e.type]++;
    days.set(day, d);
    if (e.type === 'unrecognized') continue;
    const key = e.problem ?? '(none)';
    const p = problems.get(key) ?? { problem: key, started: 0, resolved: 0, escalated: 0, abandoned: 0 };
    p[e.type]++;
    problems.set(key, p);
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    conversations: new Set(events.map((e) => `${e.channelId}|${e.conversationId}`)).size,
    flowsStarted: count('started'),
    resolved: count('resolved'),
    escalated: count('escalated'),
    abandoned: count('abandoned'),
    unrecognized: count('unrecognized'),
    perProblem: [...problems.values()].sort((a, b) => b.started + b.escalated - (a.started + a.escalated) || a.problem.localeCompare(b.problem)),
    perDay: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)).map(({ ids, ...d }) => ({ ...d, conversations: ids.size })),
    unrecognizedMessages: events
      .filter((e) => e.type === 'unrecognized')
      .slice(-UNRECOGNIZED_SHOWN)
      .reverse()
      .map((e) => ({ at: e.at, text: e.text ?? '' })),
    ticketsByStatus: store.statusCounts(),
    ratings: ratingStats(store.ratings(from, to)),
  };
}

/** The stats as a plain-text table (npm run report). */
export function formatStats(stats: HelpdeskStats): string {
  const pct = (n: number) => (stats.flowsStarted > 0 ? ` (${Math.round((100 * n) / stats.flowsStarted)} %)` : '');
  const lines = [
    `Helpdesk report ${stats.from.slice(0, 10)} … ${stats.to.slice(0, 10)}`,
    '',
    `conversations        ${stats.conversations}`,
    `flows started        ${stats.flowsStarted}`,
    `resolved by the bot  ${stats.resolved}${pct(stats.resolved)}`,
    `escalated            ${stats.escalated}${pct(stats.escalated)}`,
    `abandoned            ${stats.abandoned}${pct(stats.abandoned)}`,
    `not understood       ${stats.unrecognized}`,
    `average rating       ${formatRating(stats.ratings)}${stats.ratings.count > 0 ? `  (${stats.ratings.perScore.map((n, i) => `${i + 1}: ${n}`).join(', ')})` : ''}`,
    `tickets by status    ${Object.entries(stats.ticketsByStatus).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`,
    '',
    'problem                          started  resolved  escalated  abandoned',
  ];
  for (const p of stats.perProblem) {
    lines.push(`${p.problem.padEnd(32)} ${String(p.started).padStart(7)}  ${String(p.resolved).padStart(8)}  ${String(p.escalated).padStart(9)}  ${String(p.abandoned).padStart(9)}`);
  }
  if (stats.perDay.length > 0) {
    lines.push('', 'day         conversations  resolved  escalated  abandoned');
    for (const d of stats.perDay) {
      lines.push(`${d.day}  ${String(d.conversations).padStart(13)}  ${String(d.resolved).padStart(8)}  ${String(d.escalated).padStart(9)}  ${String(d.abandoned).padStart(9)}`);
    }
  }
  if (stats.unrecognizedMessages.length > 0) {
    lines.push('', 'not understood (latest first):');
    for (const u of stats.unrecognizedMessages) lines.push(`  ${u.at.slice(0, 16).replace('T', ' ')}  ${u.text.replace(/\s+/g, ' ').slice(0, 100)}`);
  }
  return `${lines.join('\n')}\n`;
}
