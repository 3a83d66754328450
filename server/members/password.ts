import crypto from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * Member passwords: argon2id with the OWASP-recommended cost (19 MiB, 2 passes, 1 lane). The
 * enum is const in the package's types, which isolated modules cannot read: 2 is Argon2id.
 */
const OPTIONS = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/**
 * A hash of a random password nobody knows. Verifying against it when an account does not exist
 * costs exactly what a real check costs, so response times do not reveal which emails have accounts.
 */
let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(crypto.randomBytes(24).toString('base64url'));
  return dummy;
}

/** True when the password matches; `stored` undefined checks a dummy hash and returns false. */
export async function checkPassword(stored: string | undefined, password: string): Promise<boolean> {
  try {
    const ok = await verify(stored ?? (await dummyHash()), password);
    return stored !== undefined && ok;
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

/** A password to print once: 20 characters from an alphabet without look-alikes, about 115 bits. */
export function generatePassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let out = '';
  for (const byte of crypto.randomBytes(length * 2)) {
    // Rejection sampling keeps every character equally likely.
    if (byte < 256 - (256 % alphabet.length)) out += alphabet[byte % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : generatePassword(length);
}
