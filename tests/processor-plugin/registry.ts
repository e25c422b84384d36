import { processorRegistry, registryOf } from '../../processors/registry.ts';
import { closeDateUpdater } from './close-date-updater/index.ts';

/** The product's processors and one more, added the way a contributor adds one: a folder and this line. */
export const pluginRegistry = registryOf([...processorRegistry.values(), closeDateUpdater]);
