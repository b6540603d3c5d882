// ESLint (typescript-eslint strict) for the product, its tests and its scripts; formatting is Prettier's job.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'task/dist/**', 'build/**', 'node_modules/**', 'coverage/**', 'tools/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Records keyed by registry are maps: deleting a computed key is how an entry goes.
      '@typescript-eslint/no-dynamic-delete': 'off'
    }
  },
  {
    // The core is platform-free: it knows no adapter and no platform library.
    files: ['src/core/**', 'src/lib/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/github/**', '**/azure-pipelines/**', '**/cli/**', '**/credential-helper/**', '**/federation/**'],
              message: 'The core knows no adapter: let the adapter pass what differs.'
            },
            {
              group: ['@actions/*', 'azure-pipelines-task-lib', 'azure-pipelines-task-lib/*'],
              message: 'Platform libraries belong to the adapters.'
            }
          ]
        }
      ]
    }
  },
  {
    // Adapters reach the core only through its public surface, src/core/index.ts.
    files: ['src/github/**', 'src/azure-pipelines/**', 'src/cli/**', 'src/credential-helper/**', 'src/federation/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/core/*'], message: 'Import from src/core (its index) only.' }] }]
    }
  },
  {
    files: ['__tests__/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' }
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
