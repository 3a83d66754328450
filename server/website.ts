import net from 'node:net';
import { z } from 'zod';

/**
 * A reader's website, as third parties will copy it from `author.website` into their own pages:
 * an absolute http(s) URL whose host is a domain name or an IP address, without a user name or
 * password (`https://bank.example@evil.example` is evil.example), kept as the URL parser serialises
 * it (`<` and quotes percent-encoded, the host in lower case and punycode).
 */
export const MAX_WEBSITE_LENGTH = 300;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TOP_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function isDomainName(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && TOP_LABEL.test(labels[labels.length - 1]!);
}

function isIpAddress(host: string): boolean {
  return net.isIPv4(host) || (host.startsWith('[') && host.endsWith(']') && net.isIPv6(host.slice(1, -1)));
}

/** Why a text is not a website, or null when it is one. */
function problemOf(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an absolute http(s) URL';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (!isDomainName(url.hostname) && !isIpAddress(url.hostname)) return 'must be on a domain name or an IP address';
  if (url.href.length > 2 * MAX_WEBSITE_LENGTH) return 'is too long';
  return null;
}

/** The serialised website, or null when the text is not one (see above). */
export function strictWebsite(raw: string): string | null {
  return problemOf(raw) === null ? new URL(raw.trim()).href : null;
}

export const WebsiteSchema = z
  .string()
  .trim()
  .max(MAX_WEBSITE_LENGTH)
  .transform((value, ctx) => {
    const problem = problemOf(value);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return new URL(value).href;
  });

/**
 * A form's website field: empty means none (null). One schema rather than a union with `''`, so a
 * refusal says what is wrong with the address, not that no alternative matched.
 */
export const OptionalWebsiteSchema = z
  .string()
  .trim()
  .max(MAX_WEBSITE_LENGTH)
  .transform((value, ctx) => {
    if (value === '') return null;
    const problem = problemOf(value);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return new URL(value).href;
  })
  .nullish();
