import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'web/dist/**', 'eslint.config.js'] },
  ...tseslint.configs.recommended,
  {
    // Type information, so that promises nobody awaits or handles are caught.
    // allowDefaultProject: the one plain module, the delivery threads' TypeScript loader.
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['src/delivery/threads/source-loader.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false, variables: false } }],
    },
  },
);
