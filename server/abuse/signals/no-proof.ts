import type { Signal } from './types';

/** A post without a valid proof of work is never refused for it (SPEC §13): it only weighs. */
export function noProofSignal(proof: 'valid' | 'missing' | 'invalid' | 'exempt'): Signal {
  if (proof === 'valid' || proof === 'exempt') return null;
  return { code: 'no_proof', weight: 0.35, detail: proof === 'missing' ? 'posted without the proof of work' : 'the proof of work did not check out' };
}
