import dns from 'node:dns';
import net from 'node:net';

/**
 * Where Parley may fetch a publisher's keys from: the webhook address rules (SPEC §10). https only,
 * and never a loopback, private, link-local or otherwise internal address — checked on the address
 * actually connected to, so a name that resolves elsewhere later (DNS rebinding) does not pass.
 * `allowPrivate` (PARLEY_WEBHOOKS_ALLOW_PRIVATE) lets tests and private networks use http and
 * internal addresses.
 */
const blocked = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  blocked.addSubnet(prefix, bits, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = net.isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a URL may not be fetched, or null when it may. */
export function refusedAddress(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'must be an https URL';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && net.isIP(host) && isInternalAddress(host)) return 'must not point to a loopback, private or link-local address';
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) return 'must not point to a loopback address';
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for http(s).get that refuses internal addresses at connection time. */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as dns.LookupAddress[];
      const bad = !allowPrivate && list.some((a) => isInternalAddress(a.address));
      if (bad || list.length === 0) {
        const refusal: NodeJS.ErrnoException = new Error(`${hostname} resolves to an address Parley may not connect to`);
        refusal.code = 'EADDRREFUSED';
        return callback(refusal, []);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
