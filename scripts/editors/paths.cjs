// Where the prepared code-server lives. Outside the repository by default, so that every clean clone on
// a machine (each CI run) reuses one preparation; KMDF_CODE_SERVER_CACHE overrides it.
'use strict';
const os = require('node:os');
const path = require('node:path');

/** @param {string} version code-server version (one folder per version). */
function codeServerCacheDir(version) {
  if (process.env.KMDF_CODE_SERVER_CACHE) return path.resolve(process.env.KMDF_CODE_SERVER_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kmdf-assist', `code-server-${version}`);
}

module.exports = { codeServerCacheDir, CODE_SERVER_VERSION: '4.100.3' };
