/**
 * Issue 11, item 11 (settings half): a setting of the wrong type is reported and takes the safe
 * value where the default is the riskier one; the size limit of item 3 is a validated setting.
 */
import { strict as assert } from 'node:assert';
import { defaultSettings, parseSettings } from '../../../shared/settings';

describe('robustness: settings of the wrong type', () => {
  it('kmdf.docs.online: "yes" says so and turns fetching off (the safe value), not on (the default)', () => {
    const { settings, problems } = parseSettings({ docs: { online: 'yes', path: '/pages' }, logLevel: 'debug' });
    assert.equal(settings.docs.online, false);
    assert.equal(settings.docs.path, '/pages');
    assert.equal(settings.logLevel, 'debug');
    assert.deepEqual(problems, [
      'kmdf.docs.online: Expected boolean, received string (using kmdf.docs.online = false)',
    ]);
  });

  it('a kmdf.docs that is not an object turns fetching off too; a valid true stays on', () => {
    assert.equal(parseSettings({ docs: 7 }).settings.docs.online, false);
    assert.equal(parseSettings({ docs: { online: true } }).settings.docs.online, true);
    assert.equal(parseSettings({}).settings.docs.online, true);
  });

  it('kmdf.analysis.maxFileSizeKB: a whole number of KB, at least 1, default 2048', () => {
    assert.equal(defaultSettings.analysis.maxFileSizeKB, 2048);
    assert.equal(parseSettings({ analysis: { maxFileSizeKB: 64 } }).settings.analysis.maxFileSizeKB, 64);
    for (const bad of [0, 1.5, '64']) {
      const { settings, problems } = parseSettings({ analysis: { maxFileSizeKB: bad } });
      assert.equal(settings.analysis.maxFileSizeKB, 2048, String(bad));
      assert.equal(problems.length, 1, String(bad));
    }
  });
});
