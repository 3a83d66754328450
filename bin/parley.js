#!/usr/bin/env node
// The installed `parley` command: runs the TypeScript sources through tsx, as `npm run parley` does.
require('tsx/cjs/api').register();
require('../server/cli/main.ts').main();
