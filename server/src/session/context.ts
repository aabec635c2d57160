/** What every feature is given: the index, settings, documents, the cross-file view, docs prose and the logger. */
import type { Settings } from '../../../shared/settings';
import type { DocsTextProvider } from '../docsText/provider';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { Logger } from '../util/logger';
import type { DriverDocuments } from './documents';
import type { ProjectView } from './projectView';

export interface FeatureContext {
  /** The current index (replaced when it is rebuilt). */
  index(): KnowledgeIndex;
  /** The current, validated settings. */
  settings(): Settings;
  documents: DriverDocuments;
  project: ProjectView;
  docs: DocsTextProvider;
  logger: Logger;
}
