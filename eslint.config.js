import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'generated', 'out', 'bench-out', '.tmp', '.cache'] },
  { files: ['bin/**/*.js'], languageOptions: { globals: { process: 'readonly' } } },
  // The dashboard's page script runs in a browser.
  {
    files: ['dashboard/page/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'history', 'fetch', 'URLSearchParams', 'setTimeout'].map((g) => [
          g,
          'readonly',
        ]),
      ),
    },
  },
  // CommonJS configuration files (dependency-cruiser reads .cjs).
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
