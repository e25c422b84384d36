// ESLint for the Lightning Web Components only (force-app/main/default/lwc), with Salesforce's
// recommended LWC rules. The TypeScript service is not linted by this file.
import { defineConfig } from 'eslint/config';
import { createRequire } from 'node:module';
import globals from 'globals';

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
    }
]);
