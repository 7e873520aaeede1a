/**
 * Where the loaded topology came from, as clients see it (GET /api/topology, socket.io's hello):
 * `example:<name>`, `upload:<file name>`, or for a file the server read, its path relative to the
 * server's working directory — or only its name when it lies outside. The server's absolute
 * paths (home directory, user name, install location) are nobody's business over HTTP.
 */
import path from 'node:path';

export function displaySource(source: string, cwd = process.cwd()): string {
  if (!path.isAbsolute(source)) return source;
  const rel = path.relative(cwd, source);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.basename(source);
}
