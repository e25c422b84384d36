// sfdx-lwc-jest configuration for the Lightning Web Components in force-app/ only.
// The TypeScript service is tested with vitest (vitest.config.ts); jest never looks outside force-app.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

export default {
    ...jestConfig,
    roots: ['<rootDir>/force-app'],
    testPathIgnorePatterns: [
        ...jestConfig.testPathIgnorePatterns,
        '<rootDir>/.sf/',
        '<rootDir>/.sfdx/'
    ],
    restoreMocks: true
};
