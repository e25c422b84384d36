import { assigneesGrader } from './assignees.ts';
import { datesGrader } from './dates.ts';
import { dependenciesGrader } from './dependencies.ts';
import { expectationsGrader } from './expectations.ts';
import type { Grader } from './grader.ts';
import { groundedGrader } from './grounded.ts';
import { injectionGrader } from './injection.ts';
import { processorsGrader } from './processors.ts';
import { summaryFiguresGrader } from './summary-figures.ts';

/** The schema grader's name; it runs on the raw plan before the others (schema-valid.ts). */
export const SCHEMA_GRADER = { name: 'schema', checks: 'the plan is valid against the plan schema' } as const;

/** The hard graders after the schema, in report order. Adding one: its file, its test, its mutation, one line here. */
export const HARD_GRADERS: readonly Grader[] = [
  datesGrader,
  groundedGrader,
  processorsGrader,
  dependenciesGrader,
  assigneesGrader,
  injectionGrader,
  expectationsGrader,
  summaryFiguresGrader,
];
