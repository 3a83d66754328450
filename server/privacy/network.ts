import crypto from 'node:crypto';
import net from 'node:net';
import type { Db } from '../db';

/**
 * Network addresses are never stored: only an HMAC under a secret that changes every UTC day. The
 * secrets live in the database so every instance hashes alike; deleting a day's secret (retention)
 * makes that day's hashes unlinkable to any address.
 *
 * IPv6 addresses are reduced to their /64 first: one household or phone gets a whole /64, so a
 * full-address hash would let anyone dodge a ban by changing the last bits.
 */
export function networkOf(ip: string): string {
  let address = ip.trim();
  if (address.startsWith('::ffff:') && net.isIPv4(address.slice(7))) address = address.slice(7);
  if (net.isIPv4(address)) return address;
  if (!net.isIPv6(address)) return 'unknown';
  const groups = expandIPv6(address);
  return groups.slice(0, 4).join(':') + '::/64';
}

function expandIPv6(address: string): string[] {
  const [head, tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = address.includes('::') ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

export function utcDay(date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

export function createNetworkHasher(db: Db) {
  const secrets = new Map<string, Promise<Buffer>>();
  async function secretFor(day: string): Promise<Buffer> {
    let secret = secrets.get(day);
    if (!secret) {
      secret = (async () => {
        await db
          .insertInto('hash_keys')
          .values({ day, secret: crypto.randomBytes(32).toString('base64') })
          .onConflict((oc) => oc.column('day').doNothing())
          .execute();
        const row = await db.selectFrom('hash_keys').select('secret').where('day', '=', day).executeTakeFirstOrThrow();
        return Buffer.from(row.secret, 'base64');
      })();
      secrets.set(day, secret);
      secret.catch(() => secrets.delete(day));
      // Keep only today's and yesterday's secrets in memory.
      for (const key of secrets.keys()) if (key < utcDay(new Date(Date.now() - 2 * 86_400_000))) secrets.delete(key);
    }
    return secret;
  }
  return {
    /** The hash of a network for today (or a given day); `null` when there is no address. */
    async hash(ip: string | undefined | null, date = new Date()): Promise<string | null> {
      if (!ip) return null;
      const day = utcDay(date);
      const mac = crypto.createHmac('sha256', await secretFor(day)).update(networkOf(ip)).digest('base64url');
      return `${day}:${mac.slice(0, 32)}`;
    },
    forget(day: string) {
      secrets.delete(day);
    },
  };
}
export type NetworkHasher = ReturnType<typeof createNetworkHasher>;
