// Module loader hooks (run on the loader thread): every module URL, as it is loaded, is
// appended synchronously to the log file, so nothing is lost when the process exits at once.
import { appendFileSync } from 'node:fs';

let file = '';

/** Receives `data` from register(). */
export function initialize(data) {
  file = data.file;
}

/** Records the URL, then loads it as usual. */
export async function load(url, context, nextLoad) {
  appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
