import { z } from 'zod';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** `GET /threads/:id/challenge` (SPEC §13): ALTCHA's challenge, or null when the caller needs none. */
export const ChallengeReplySchema = z.object({
  challenge: z
    .object({
      algorithm: z.literal('SHA-256'),
      challenge: Hex64.meta({ description: 'SHA-256 of `salt` followed by the secret number, in hex' }),
      maxnumber: z.number().int().positive().meta({ description: 'The secret number is at most this: the work asked, about half of it in hashes' }),
      salt: z.string().meta({ description: 'Random, then the thread (`t`) and the expiry (`expires`, in seconds) as URL parameters' }),
      signature: Hex64.meta({ description: 'The server’s HMAC of `challenge`' }),
    })
    .nullable()
    .meta({ description: 'Null for a reader with trust and for the site’s API key: their posts need no proof of work' }),
});
