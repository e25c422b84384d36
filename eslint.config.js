// ESLint: Salesforce's recommended rules for the Lightning Web Components (force-app/main/default/lwc), and
// typescript-eslint's recommended rules for the TypeScript (service, processors, scripts, bench, dev, testkit, tests).
import { defineConfig } from 'eslint/config';
import { createRequire } from 'node:module';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const require = createRequire(import.meta.url);
const salesforceLwcConfig = require('@salesforce/eslint-config-lwc/recommended');

export default defineConfig([
    {
        files: ['force-app/main/default/lwc/**/*.js'],
        extends: [salesforceLwcConfig]
    },
    {
        files: ['force-app/main/default/lwc/**/__tests__/**/*.js'],
        rules: {
            '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off'
        },
        languageOptions: {
            globals: { ...globals.node }
        }
    },
    {
        files: [
            '{service,processors,scripts,bench,dev,testkit,tests}/**/*.ts',
            '*.ts'
        ],
        extends: [tseslint.configs.recommended],
        languageOptions: {
            globals: { ...globals.node }
        },
        rules: {
            '@typescript-eslint/no-unused-vars': [
                'error',
                { argsIgnorePattern: '^_' }
            ]
        }
    },
    {
        // Tests, their kit and the demo read untyped JSON answers; `any` there is the honest type.
        files: [
            '{tests,testkit,bench}/**/*.ts',
            '**/*.test.ts',
            'scripts/demo.ts'
        ],
        rules: {
            '@typescript-eslint/no-explicit-any': 'off'
        }
    }
]);
