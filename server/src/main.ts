/** Language-server entry of the bundle (dist/server.js): a connection over the transport given on the command line. */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
