/** `kmdf` command-line tool. */
process.stdout.write('kmdf: not yet\n');
