import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns, message) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: patterns.map((group) => ({
        group: Array.isArray(group) ? group : [group],
        message,
      })),
    },
  ],
});

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto'];
const outerLayers = [
  '**/app/**',
  '**/adapters/**',
  '**/commands/**',
  '**/ui/**',
  '**/ports/**',
  '**/targets/**',
];
const libs = ['dockerode', 'simple-git', '@oclif/*', 'listr2', 'yaml'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'schemas/**', 'coverage/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      ...restrict(
        [
          ...outerLayers,
          ...libs.filter((l) => l !== 'yaml'),
          // 'node:*' would also match node:crypto; a gitignore-style negation in the same group exempts it.
          ['node:*', '!node:crypto'],
          ...nodeBuiltins.filter((b) => b !== 'node:*' && b !== 'node:crypto' && b !== 'crypto'),
        ],
        'core is pure: it imports only core, zod, semver, yaml and js-yaml (parsing) and node:crypto (hashes)',
      ),
      'no-restricted-globals': ['error', 'process'],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'time comes into core as a value',
        },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      ...restrict(
        [
          '**/adapters/**',
          '**/targets/**',
          '**/commands/**',
          '**/ui/**',
          ...libs.filter((l) => l !== 'yaml'),
          ...nodeBuiltins,
        ],
        'use-cases reach the world only through ports (no node:* either)',
      ),
      'no-restricted-globals': ['error', 'process'],
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: restrict(
      ['**/adapters/**', '**/commands/**', '**/ui/**', '**/app/**', '**/targets/**', ...libs],
      'ports are interfaces in domain terms',
    ),
  },
  {
    files: ['src/targets/**/*.ts'],
    rules: {
      ...restrict(
        ['**/adapters/**', '**/app/**', '**/commands/**', '**/ui/**', ...libs, ...nodeBuiltins],
        'a target implements the release-level ports over the engine port: core and ports only',
      ),
      'no-restricted-globals': ['error', 'process'],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: restrict(
      ['**/commands/**', '**/ui/**', '**/app/**', '**/targets/**', '@oclif/*', 'listr2'],
      'adapters know nothing of the CLI',
    ),
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
