import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileLwcBundles } from './lwc-compiler.ts';
import { PROJECT_ROOT, scratchProject, type ScratchProject } from './scratch-copy.ts';

const LWC = join('force-app', 'main', 'default', 'lwc');

describe('the LWC platform compiler (@lwc/sfdc-lwc-compiler, type platform, namespace c)', () => {
  let scratch: ScratchProject | undefined;
  afterEach(() => scratch?.remove());

  it('compiles every bundle in force-app with no errors', async () => {
    const { bundles, errors } = await compileLwcBundles(join(PROJECT_ROOT, LWC));
    expect(bundles).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('fails on a template the platform rejects (if:true together with lwc:if on one element)', async () => {
    scratch = scratchProject();
    scratch.write(
      join(LWC, 'badTemplate', 'badTemplate.js'),
      "import { LightningElement } from 'lwc';\nexport default class BadTemplate extends LightningElement {\n    shown = true;\n}\n",
    );
    scratch.write(
      join(LWC, 'badTemplate', 'badTemplate.html'),
      '<template>\n    <p if:true={shown} lwc:if={shown}>hello</p>\n</template>\n',
    );
    const { errors } = await compileLwcBundles(join(scratch.dir, LWC));
    expect(errors.map((e) => e.bundle)).toEqual(['badTemplate']);
    expect(errors[0]!.message).toMatch(/lwc:if/);
  });
});
