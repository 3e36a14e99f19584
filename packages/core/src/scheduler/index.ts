// The scheduler: pure decisions of where a service's replicas run (docs/architecture.md#scheduler).
export * from './place.ts';
export { parseConstraint, parseConstraints, parseSpreadPreference, constraintHolds, normalizeArchitecture, platformOs, KNOWN_ATTRIBUTES } from './constraints.ts';
export type { Constraint, ConstraintAttribute, ConstraintTarget } from './constraints.ts';
