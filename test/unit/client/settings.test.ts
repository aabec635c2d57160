/**
 * package.json's `contributes.configuration` must describe exactly the settings of
 * shared/settings.ts (the one source of truth): same keys, types, enums, patterns and defaults.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defaultSettings, parseSettings, settingsSchema } from '../../../shared/settings';
import { repoRoot } from '../../support/paths';

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const properties: Record<string, Record<string, unknown>> = manifest.contributes.configuration.properties;

/** What the manifest should say about one setting, derived from its zod type. */
interface ExpectedSetting {
  type: string;
  default: unknown;
  enum?: readonly string[];
  pattern?: string;
  itemsType?: string;
  valueEnum?: readonly string[];
}

/** Strip ZodDefault/ZodOptional wrappers, remembering the default. */
function unwrap(schema: z.ZodTypeAny): { inner: z.ZodTypeAny; defaultValue: unknown } {
  let inner = schema;
  let defaultValue: unknown;
  for (;;) {
    if (inner instanceof z.ZodDefault) {
      defaultValue ??= inner._def.defaultValue();
      inner = inner._def.innerType;
    } else if (inner instanceof z.ZodOptional) {
      inner = inner._def.innerType;
    } else return { inner, defaultValue };
  }
}

function jsonType(schema: z.ZodTypeAny): string {
  if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return 'string';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodNumber) return schema.isInt ? 'integer' : 'number';
  if (schema instanceof z.ZodArray) return 'array';
  if (schema instanceof z.ZodRecord || schema instanceof z.ZodObject) return 'object';
  throw new Error(`settings.test: no JSON type for zod ${schema.constructor.name}; extend jsonType`);
}

/** Every leaf setting of the zod schema, keyed `kmdf.a.b`. Nested objects become dotted keys. */
function expectedSettings(schema: z.ZodObject<z.ZodRawShape>, prefix = 'kmdf'): Map<string, ExpectedSetting> {
  const result = new Map<string, ExpectedSetting>();
  for (const [key, value] of Object.entries(schema.shape)) {
    const { inner, defaultValue } = unwrap(value);
    const name = `${prefix}.${key}`;
    if (inner instanceof z.ZodObject) {
      for (const [k, v] of expectedSettings(inner, name)) result.set(k, v);
      continue;
    }
    const expected: ExpectedSetting = { type: jsonType(inner), default: defaultValue };
    if (inner instanceof z.ZodEnum) expected.enum = inner.options;
    if (inner instanceof z.ZodString) {
      const regexes = inner._def.checks.filter((c) => c.kind === 'regex');
      if (regexes.length === 1 && regexes[0].kind === 'regex') expected.pattern = regexes[0].regex.source;
    }
    if (inner instanceof z.ZodArray) expected.itemsType = jsonType(unwrap(inner.element).inner);
    if (inner instanceof z.ZodRecord) {
      const valueType = unwrap(inner.valueSchema).inner;
      if (valueType instanceof z.ZodEnum) expected.valueEnum = valueType.options;
    }
    result.set(name, expected);
  }
  return result;
}

const expected = expectedSettings(settingsSchema);
/** Values to try on each patterned setting, by section: some valid, some not. */
const PATTERN_SAMPLES: Record<string, string[]> = {
  target: ['', '1.33', '2.15', '1', 'latest', '1.33.1', ' 1.33'],
  docs: [
    'https://raw.githubusercontent.com/x/',
    'http://127.0.0.1:8080/content/',
    'http://[::1]:9/',
    'http://localhost',
    '',
    'http://example.com/',
    'http://127.0.0.1.example.com/',
    'http://localhost@example.com/',
    'file:///etc/',
    'https://',
  ],
};
/** Settings the client alone reads (vscode-languageclient's protocol trace). */
const CLIENT_ONLY = ['kmdf.trace.server'];

describe('client: package.json settings match shared/settings.ts', () => {
  it('derives the fourteen documented settings from the schema', () => {
    assert.deepEqual([...expected.keys()].sort(), [
      'kmdf.analysis.maxFileSizeKB',
      'kmdf.diagnostics.enable',
      'kmdf.diagnostics.rules',
      'kmdf.diagnostics.scope',
      'kmdf.docs.baseUrl',
      'kmdf.docs.cacheMaxAgeDays',
      'kmdf.docs.online',
      'kmdf.docs.path',
      'kmdf.inlayHints.irql',
      'kmdf.logLevel',
      'kmdf.target.framework',
      'kmdf.target.kmdfVersion',
      'kmdf.target.umdfVersion',
      'kmdf.wdk.autoDetect',
      'kmdf.wdk.includePaths',
    ]);
  });

  it('has no setting the schema lacks (besides kmdf.trace.server)', () => {
    const extra = Object.keys(properties).filter((k) => !expected.has(k) && !CLIENT_ONLY.includes(k));
    assert.deepEqual(extra, []);
  });

  for (const [key, want] of expected) {
    it(`${key}: type, default, enum and pattern as in the schema`, () => {
      const got = properties[key];
      assert.ok(got, `package.json lacks ${key}`);
      assert.equal(got.type, want.type);
      assert.deepEqual(got.default, want.default);
      assert.deepEqual(got.enum, want.enum);
      if (want.pattern !== undefined) {
        assert.equal(got.pattern, want.pattern);
        // The manifest pattern accepts exactly what the schema accepts.
        const re = new RegExp(got.pattern);
        const [, section, field] = key.split('.');
        for (const sample of PATTERN_SAMPLES[section]) {
          const raw = { [section]: { [field]: sample } };
          assert.equal(re.test(sample), parseSettings(raw).problems.length === 0, `${key} = "${sample}"`);
        }
      } else assert.equal(got.pattern, undefined);
      if (want.itemsType) assert.deepEqual(got.items, { type: want.itemsType });
      if (want.valueEnum) assert.deepEqual((got.additionalProperties as { enum?: unknown }).enum, want.valueEnum);
    });
  }

  it('documents every setting: scope, markdownDescription, enumDescriptions of the enum length', () => {
    const scopes = new Set([
      'application',
      'machine',
      'machine-overridable',
      'window',
      'resource',
      'language-overridable',
    ]);
    for (const [key, setting] of Object.entries(properties)) {
      assert.ok(scopes.has(setting.scope as string), `${key} scope ${String(setting.scope)}`);
      assert.ok(
        typeof setting.markdownDescription === 'string' && setting.markdownDescription.length > 20,
        `${key} markdownDescription`,
      );
      if (setting.enum)
        assert.equal(
          (setting.enumDescriptions as string[] | undefined)?.length,
          (setting.enum as string[]).length,
          `${key} enumDescriptions`,
        );
    }
    for (const key of ['kmdf.wdk.includePaths', 'kmdf.docs.path'])
      assert.equal(properties[key].scope, 'machine-overridable', key);
  });

  it('kmdf.trace.server offers off/messages/verbose, default off', () => {
    const trace = properties['kmdf.trace.server'];
    assert.deepEqual(trace.enum, ['off', 'messages', 'verbose']);
    assert.equal(trace.default, 'off');
  });

  it('the manifest defaults, assembled into an object, parse to defaultSettings', () => {
    const raw: Record<string, unknown> = {};
    for (const key of expected.keys()) {
      const parts = key.split('.').slice(1);
      let node = raw;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[parts[parts.length - 1]] = properties[key].default;
    }
    assert.deepEqual(parseSettings(raw), { settings: defaultSettings, problems: [] });
  });
});

describe('client: parseSettings keeps the valid values around an invalid one', () => {
  it('drops a bad version, keeps the other target and docs values', () => {
    const { settings, problems } = parseSettings({
      target: { kmdfVersion: 'latest', umdfVersion: '2.31', framework: 'UMDF' },
      docs: { online: false },
      logLevel: 'debug',
    });
    assert.equal(settings.target.kmdfVersion, '');
    assert.equal(settings.target.umdfVersion, '2.31');
    assert.equal(settings.target.framework, 'UMDF');
    assert.equal(settings.docs.online, false);
    assert.equal(settings.docs.path, '');
    assert.equal(settings.logLevel, 'debug');
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^kmdf\.target\.kmdfVersion: /);
  });

  it('drops a bad rule severity and a bad enum, keeps the rest', () => {
    const { settings, problems } = parseSettings({
      diagnostics: { enable: false, rules: { KMDF1001: 'off', KMDF1002: 'loud' } },
      target: { framework: 'WDM' },
      inlayHints: { irql: false },
    });
    assert.equal(settings.diagnostics.enable, false);
    assert.deepEqual(settings.diagnostics.rules, { KMDF1001: 'off' });
    assert.equal(settings.target.framework, 'auto');
    assert.equal(settings.inlayHints.irql, false);
    assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), [
      'kmdf.diagnostics.rules.KMDF1002',
      'kmdf.target.framework',
    ]);
  });

  it('a non-object configuration falls back to the defaults, fetching off, with a message', () => {
    const { settings, problems } = parseSettings('nonsense');
    assert.deepEqual(settings, { ...defaultSettings, docs: { ...defaultSettings.docs, online: false } });
    assert.deepEqual(problems, ['kmdf: Expected object, received string (using kmdf.docs.online = false)']);
  });
});
