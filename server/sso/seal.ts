import { CompactEncrypt, compactDecrypt } from 'jose';
import { sha256 } from '../ids';

/**
 * The commenter token a sign-in handed out, kept for a minute so the same request retried (a lost
 * answer, a double click) gets the same token. It is encrypted under a key derived from the token or
 * code the reader presented: the database alone cannot open it, and the presenter can.
 */
const keyOf = (presented: string) => Buffer.from(sha256(`parley sso seal\0${presented}`), 'hex');

/** A hash that recognises the same presented token or code, unrelated to the sealing key. */
export const requestHash = (presented: string) => sha256(`parley sso request\0${presented}`);

export async function seal(presented: string, commenterToken: string): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(commenterToken)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(keyOf(presented));
}

export async function unseal(presented: string, sealed: string): Promise<string | null> {
  try {
    const { plaintext } = await compactDecrypt(sealed, keyOf(presented));
    return new TextDecoder().decode(plaintext);
  } catch {
    return null;
  }
}
