// The module boundary rule, shared by eslint.config.js and the test that proves it fires
// (test/lint/boundaries.test.ts): other code imports a module only through its index.ts.
import boundaries from 'eslint-plugin-boundaries';

export const boundariesConfig = {
  files: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
  plugins: { boundaries },
  settings: {
    'boundaries/elements': [
      { type: 'module', pattern: 'src/modules/*', capture: ['name'] },
      // Everything else that may import a module: the shared machinery, the processes, benchmarks, scripts.
      { type: 'app', pattern: ['src', 'bench', 'scripts'] },
    ],
    'import/resolver': { node: { extensions: ['.ts', '.js'] } },
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'allow',
        policies: [
          {
            to: { element: { type: 'module' } },
            disallow: { to: { element: { fileInternalPath: '!index.ts' } } },
            message: 'import the {{to.element.captured.name}} module through its index.ts, not {{to.element.fileInternalPath}}: a module\'s index is its only door',
          },
        ],
      },
    ],
  },
};
