/**
 * Traditional Chinese read as Simplified. Staff in Hong Kong and Taiwan write 帳號被凍結, 無法登入, 郵件伺服器;
 * the trees, synonyms and labelled examples are mostly Simplified (账号被冻结, 无法登录, 邮件服务器). OpenCC
 * (opencc-js, its dictionaries in the package) converts characters and the Taiwanese phrases that differ
 * (登入 → 登录, 伺服器 → 服务器, 軟體 → 软件), so one trigger serves both scripts.
 */
import { ConverterFactory, CustomConverter, Locale } from 'opencc-js/t2cn';

type Convert = (text: string) => string;

let converter: { hasTraditional: RegExp; convert: Convert } | null = null;

/** Built on first use (~0.1 s): most processes read no Chinese at all. */
function load(): NonNullable<typeof converter> {
  if (converter) return converter;
  // Hong Kong and Taiwan variants to OpenCC's Traditional (Taiwan's phrases too), then to Simplified.
  const simplified = ConverterFactory(Locale.from.hk, Locale.from.twp, Locale.to.cn);
  // Every character it changes on its own: text with none of them is already Simplified (or not Chinese) and
  // skips the conversion, which costs as much on Simplified text as on Traditional.
  let traditional = '';
  for (let code = 0x3400; code <= 0x9fff; code++) {
    const c = String.fromCharCode(code);
    if (simplified(c) !== c) traditional += c;
  }
  // OpenCC's Simplified writes 帳 as 帐; mainland usage (and our triggers and examples) write 账号, 账户.
  const mainland = CustomConverter([
    ['帐号', '账号'],
    ['帐户', '账户'],
  ]);
  converter = { hasTraditional: new RegExp(`[${traditional}]`, 'u'), convert: (text) => mainland(simplified(text)) };
  return converter;
}

const HAN = /[\u3400-\u9fff]/;

export function toSimplified(text: string): string {
  if (!HAN.test(text)) return text;
  const { hasTraditional, convert } = load();
  return hasTraditional.test(text) ? convert(text) : text;
}
