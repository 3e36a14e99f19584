import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const tsxEntry = (rel: string): string[] => ['--import', 'tsx', join(repoRoot, rel)];
