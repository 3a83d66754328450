declare module '*.css' {
  const css: string;
  export default css;
}

/** The URL path of the live-updates module, set by the build (client/build.ts). */
declare const __PARLEY_LIVE__: string;
/** The URL path of the sign-in module (client/widget/sso.ts), loaded only on sites that use it. */
declare const __PARLEY_SSO__: string;
/** The URL path of the mail-notification module (client/widget/notify.ts), loaded only when the server sends mail. */
declare const __PARLEY_NOTIFY__: string;
/** The URL path of the picks and Q&A module (client/widget/picks.ts), loaded only for threads with picks or in Q&A. */
declare const __PARLEY_PICKS__: string;
/** The URL path of the "Your data" panel's module (client/widget/yourdata.ts), loaded when a reader first opens it. */
declare const __PARLEY_YOURDATA__: string;
/** The URL path of the schedule module (client/widget/when.ts), loaded only for a thread with a close or reopen time. */
declare const __PARLEY_SCHEDULE__: string;
/** The URL path of the proof-of-work module (client/widget/pow.ts), loaded when the reader starts typing. */
declare const __PARLEY_POW__: string;
