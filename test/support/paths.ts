/** Where the tests find the repository, its fixtures and the shared data folder beside it. */
import * as path from 'node:path';

/** The repository's root folder. */
export const repoRoot = path.resolve(__dirname, '../..');
/** The read-only data folder beside the repository (docs pages, WDF signature facts). */
export const sharedDir = path.resolve(repoRoot, '../shared');
/** test/fixtures. */
export const fixturesRoot = path.join(repoRoot, 'test/fixtures');
