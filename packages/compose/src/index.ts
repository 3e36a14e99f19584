// @berth/compose: the Compose Specification's common subset as a berth StackSpec. See README.md.
export { parseCompose, type ParseComposeOptions, type ParsedCompose } from './parse-compose.ts';
export { referencedFiles, referencedVariables } from './references.ts';
export { ComposeError, type ComposeIssue, type IgnoredKey } from './context.ts';
export type { FileReader } from './top-level.ts';
