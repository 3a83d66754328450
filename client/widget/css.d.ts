declare module '*.css' {
  const css: string;
  export default css;
}

/** The URL path of the live-updates module, set by the build (client/build.ts). */
declare const __PARLEY_LIVE__: string;
