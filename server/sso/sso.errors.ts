import { AppError } from '../errors';

/** Why a sign-in was refused (SPEC §9, §13): stable words a publisher's developer can act on. */
export type SsoReason =
  | 'expired'
  | 'issued_in_future'
  | 'lifetime_too_long'
  | 'replayed'
  | 'code_used'
  | 'wrong_audience'
  | 'issuer_mismatch'
  | 'unknown_key'
  | 'keys_unreachable'
  | 'bad_signature'
  | 'algorithm_not_allowed'
  | 'malformed'
  | 'sso_disabled';

/** A refused sign-in: 401 `sso_invalid`, its reason first in `details`. */
export function ssoInvalid(reason: SsoReason, message: string, path?: string): AppError {
  return new AppError('unauthenticated', 'sso_invalid', message, [{ reason, message, ...(path ? { path } : {}) }]);
}
