import type { RiskReason } from '../../../db/schema';

/** One signal's view of a comment: how strongly it points to abuse (0–1), and why; none: it saw nothing. */
export type Signal = RiskReason | null;
