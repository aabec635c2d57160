/**
 * workspace/didChangeWatchedFiles: sources and headers changed on disk are read again; a changed
 * project file (.vcxproj, .props, .sln, sources, .kmdf.json) rebuilds the project model, and the
 * files already analysed are analysed again with its defines and target.
 */
import { DidChangeWatchedFilesNotification, FileChangeType, type Connection } from 'vscode-languageserver';
import type { DriverDocuments } from '../session/documents';
import type { ServerProjects } from '../session/serverProjects';
import { describeError, type Logger } from '../util/logger';

/** Files watched on disk: sources and headers are read again, project files rebuild the project model. */
const WATCHED = ['**/*.{c,cc,cpp,cxx,h,hh,hpp,hxx,inl}', '**/*.{vcxproj,props,sln}', '**/sources', '**/.kmdf.json'];
const SOURCE_FILE = /\.(c|cc|cpp|cxx|h|hh|hpp|hxx|inl)$/i;

export class WatchedFilesFeature {
  private connection?: Connection;

  constructor(
    private readonly documents: DriverDocuments,
    private readonly projects: ServerProjects,
    private readonly logger: Logger,
    /** After the projects changed and the files were analysed again: run every check, redraw the driver map. */
    private readonly projectsChanged: () => void,
  ) {}

  register(connection: Connection): void {
    this.connection = connection;
    connection.onDidChangeWatchedFiles(({ changes }) => {
      let projectFiles = false;
      for (const { uri, type } of changes) {
        if (!uri.startsWith('file:')) continue;
        if (SOURCE_FILE.test(uri)) this.documents.diskChanged(uri, type === FileChangeType.Deleted);
        else projectFiles = true;
      }
      if (projectFiles) {
        this.projects.invalidate();
        // New defines or a new target: files already analysed are analysed again, then every check runs again.
        void this.documents.projectsChanged().then(this.projectsChanged);
      }
    });
  }

  /** Ask the client to watch the files (after `initialized`, for clients that register watchers dynamically). */
  watch(): void {
    void this.connection?.client
      .register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED.map((globPattern) => ({ globPattern })) })
      .catch((error: unknown) => this.logger.debug(`watching files: ${describeError(error)}`));
  }
}
