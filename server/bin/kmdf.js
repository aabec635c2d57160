#!/usr/bin/env node
// Entry of the `kmdf` command: runs the bundled CLI built by `npm run build` (also run by `npm ci` via `prepare`).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`kmdf: ${bundle} is missing; run \`npm run build\` at the repository root first.\n`);
  process.exit(2);
}
require(bundle);
