// @ts-check
// `npm run lint` runs this (then prettier --check); warnings fail the run too (--max-warnings 0).
'use strict';
const { defineConfig } = require('eslint/config');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const vue = require('eslint-plugin-vue');
const prettier = require('eslint-config-prettier/flat');
const globals = require('globals');

const VUE_FILES = ['dashboard/**/*.vue'];

module.exports = defineConfig(
  { ignores: ['dist/', 'dashboard/dist/', 'coverage/', 'bench-results/', 'test-artifacts/', '.data/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  // Vue 3 recommended, for the dashboard's single-file components only.
  vue.configs['flat/recommended'].map((config) => ({ ...config, files: VUE_FILES })),
  {
    files: VUE_FILES,
    // <script setup lang="ts"> goes to typescript-eslint's parser.
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
  },
  { languageOptions: { globals: globals.node } },
  { files: ['dashboard/src/**'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['**/*.test.ts', '**/test/**/*.ts'], languageOptions: { globals: globals.jest } },
  // The .js files are CommonJS bootstraps and configs run by plain node: require is their import.
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // A handle declared early, read by a closure, and set once later cannot be const (the closure
      // would hit the temporal dead zone): the bridge's request handler and hub, the broker's wrapper.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A leading underscore marks a parameter or binding kept on purpose (a callback's shape, a tuple slot).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  // Last: turns off every rule that would fight prettier's formatting.
  prettier,
);
