// Preload for `node --import`: registers hooks.mjs, which appends the URL of every module the
// process loads to the file named by MODULE_LOG_FILE (one URL a line).
import { register } from 'node:module';

const file = process.env.MODULE_LOG_FILE;
if (!file) throw new Error('MODULE_LOG_FILE is not set');
register('./hooks.mjs', import.meta.url, { data: { file } });
