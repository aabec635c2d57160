// Where the prepared code-server lives. Outside the repository by default, so that every clean clone on
// a machine (each CI run) reuses one preparation; KMDF_CODE_SERVER_CACHE overrides it.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** @param {string} version code-server version (one folder per version). */
function codeServerCacheDir(version) {
  if (process.env.KMDF_CODE_SERVER_CACHE) return path.resolve(process.env.KMDF_CODE_SERVER_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  // A home that cannot be written (some CI users): the git-ignored cache under the test tree instead.
  if (!writable(base)) return path.join(__dirname, '../../test/.cache', `code-server-${version}`);
  return path.join(base, 'kmdf-assist', `code-server-${version}`);
}

/** Whether `dir`, or the nearest folder above it that exists, can be written. */
function writable(dir) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(d)) {
      try {
        fs.accessSync(d, fs.constants.W_OK);
        return true;
      } catch {
        return false;
      }
    }
    if (path.dirname(d) === d) return false;
  }
}

module.exports = { codeServerCacheDir, CODE_SERVER_VERSION: '4.100.3' };
