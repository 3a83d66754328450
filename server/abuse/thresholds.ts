/** Site thresholds when the site sets none (`risk.holdAt`, `risk.spamAt`), chosen by `npm run eval:spam`. */
export const DEFAULT_RISK = { holdAt: 0.6, spamAt: 0.9 } as const;
