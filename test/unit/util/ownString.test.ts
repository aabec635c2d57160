/**
 * ownString (server/src/util/ownString.ts): the copy the analysis keeps of a name cut from a whole
 * file's text has the same characters, whatever its length and characters.
 */
import { strict as assert } from 'node:assert';
import { ownString } from '../../../server/src/util/ownString';
import { scanIncludes } from '../../../server/src/project/includes';

describe('ownString', () => {
  it('gives the same characters for short, long and non-Latin-1 substrings', () => {
    const text = `${'x'.repeat(1000)}Dmf_IoctlHandler_Callback → 𝔇mf${'y'.repeat(1000)}`;
    for (const [start, end] of [
      [1000, 1003],
      [1000, 1012],
      [1000, 1013],
      [1000, 1026],
      [1000, 1034],
      [0, text.length],
      [5, 5],
    ])
      assert.equal(ownString(text.slice(start, end)), text.slice(start, end));
  });

  it('leaves the include names scanIncludes reads as written', () => {
    const text = '#include "..\\Framework\\DmfModules.Library.h"\n  #  include <wdf.h>\n#include "a.h"\n';
    assert.deepEqual(scanIncludes(text), [
      { name: '..\\Framework\\DmfModules.Library.h', quoted: true },
      { name: 'wdf.h', quoted: false },
      { name: 'a.h', quoted: true },
    ]);
  });
});
