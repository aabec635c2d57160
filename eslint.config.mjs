// ESLint for the TypeScript sources, with type information: the rules that catch real defects in an
// async language server (floating or misused promises, non-exhaustive switches, unused code), not
// style — Prettier owns layout. `npm run lint` runs both; `npm test` runs it as its `lint` stage.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'out/**',
      'bench/**',
      'test/.cache/**',
      'test/fixtures/**',
      'examples/**',
      '**/*.mjs',
      '**/*.cjs',
      '**/*.js',
      '**/*.d.cts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The three programs of `npm run typecheck`; test's also holds scripts/ and shared/.
      parserOptions: {
        project: ['./server/tsconfig.json', './client/tsconfig.json', './test/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // An async function without await is how an interface that may go async is implemented here.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // The protocol's request types follow vscode-languageserver's `namespace X { export const type }`.
    files: ['shared/protocol.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    // Tests read JSON (package.json, SARIF, LSP payloads) as `any` on purpose and assert its shape.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Mocha hooks and assertion helpers are passed around unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
