/**
 * Facts a message carries whatever its problem: error codes, account statuses, mail clients, domains,
 * addresses, and who the writer is. Patterns only; values are lower case so trees can `prefill` on them.
 */
import { emptyEntities, type Entities } from './types';

/** SMTP-style reply codes (4xx/5xx) and the HTTP 503 of the service disruption. */
const ERROR_CODE = /(?<![\d.,:/-])([45][0-5]\d)(?![\d,]|-\d|\.\d(?!\.\d)|\s*(?:emails?|mails?|messages?|%|kb|mb|gb|px|days?|hours?|minutes?|users?|people|accounts?|times?|per))/gi;
const ENHANCED_CODE = /\b([45]\.\d{1,3}\.\d{1,3})\b/g;

const STATUS_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/\baccount\s?blocked\b/i, 'accountblocked'],
  [/\baccount\s?frozen\b/i, 'accountfrozen'],
  [/\baccount\s?expired\b/i, 'accountexpired'],
  [/\baccount\s?disabled\b/i, 'accountdisabled'],
  [/\block\s?out\b/i, 'lockout'],
  [/\blocked\b|锁定|被锁/i, 'locked'],
  [/\bclosed\b/i, 'closed'],
  [/\bmaintenance\b/i, 'maintenance'],
  [/\bfrozen\b|\bfreeze\b|冻结/i, 'frozen'],
  [/\bdisabled\b|停用|禁用/i, 'disabled'],
  [/\bblocked\b|\bbanned\b|封禁|封号/i, 'blocked'],
  [/\bexpired\b|过期|到期/i, 'expired'],
  [/\bdeleted\b|删除/i, 'deleted'],
];

const CLIENTS: ReadonlyArray<[RegExp, string]> = [
  [/\boutlook\b/i, 'outlook'],
  [/\bfoxmail\b/i, 'foxmail'],
  [/\bthunderbird\b/i, 'thunderbird'],
  [/\bapple mail\b|\bmac mail\b|\bmail\.app\b/i, 'apple mail'],
  [/\biphone\b|\bipad\b|\bios\b/i, 'iphone'],
  [/\bandroid\b/i, 'android'],
  [/\bphone\b|\bmobile\b|\bcell\b|\bsmartphone\b|手机/i, 'phone'],
  [/\balimail (?:client|app)\b|\balibaba mail (?:client|app)\b|阿里邮箱客户端/i, 'alimail client'],
  [/\bwebmail\b|\bbrowser\b|网页版/i, 'webmail'],
];

const ROLES: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:i am|i'm|im|as)\s+(?:the\s+|an?\s+|our\s+)?(?:postmaster|mail admin(?:istrator)?|email admin(?:istrator)?|admin(?:istrator)?|it admin)\b|我是(?:邮箱)?管理员/i, 'postmaster'],
  [/\b(?:i am|i'm|im)\s+(?:just\s+)?(?:an?\s+)?(?:employee|normal user|regular user|end user|staff member)\b|\bnot (?:an?|the) admin\b|我是(?:普通)?员工/i, 'employee'],
];

const EMAIL = /[a-z0-9._%+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,}/gi;
const DOMAIN = /(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|cn|io|co|biz|info|hk|sg|jp|uk|de|us|edu|gov|top|xyz|tech|cloud|asia|app|dev)(?![\w.-]*\w)/gi;

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Entities of one message; long texts are scanned whole (a bounce may sit anywhere in a ticket). */
export function extractEntities(text: string): Entities {
  const entities = emptyEntities();
  entities.errorCodes = unique([...text.matchAll(ERROR_CODE)].map((m) => m[1]).concat([...text.matchAll(ENHANCED_CODE)].map((m) => m[1])));
  entities.statuses = STATUS_WORDS.filter(([re]) => re.test(text)).map(([, v]) => v);
  entities.clients = CLIENTS.filter(([re]) => re.test(text)).map(([, v]) => v);
  // A named phone platform is a phone too, for questions that only ask "on your phone?".
  if ((entities.clients.includes('iphone') || entities.clients.includes('android')) && !entities.clients.includes('phone')) entities.clients.push('phone');
  entities.roles = ROLES.filter(([re]) => re.test(text)).map(([, v]) => v).slice(0, 1);
  entities.emails = unique([...text.matchAll(EMAIL)].map((m) => m[0].toLowerCase()));
  const emailDomains = new Set(entities.emails.map((e) => e.split('@')[1]));
  entities.domains = unique([...text.matchAll(DOMAIN)].map((m) => m[0].toLowerCase()).filter((d) => !emailDomains.has(d)).concat([...emailDomains]));
  return entities;
}
