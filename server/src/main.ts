/** Language-server entry of the bundle (dist/serverMain.js, started by dist/server.js: launch.ts): a connection over the transport given on the command line. */
import { startServer } from './server';
import { createServerConnection } from './util/transport';

const { connection, inbound } = createServerConnection();
startServer(connection, inbound);
