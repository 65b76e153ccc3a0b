import { Writable } from 'node:stream';
import { createLogger, type LogLevel } from '../../src/lib/logger.js';
import { SecretRegistry } from '../../src/lib/secrets.js';

/** A logger writing parsed JSON lines into `lines`, plus the raw text for leak checks. */
export function captureLogger(level: LogLevel = 'debug', secrets = new SecretRegistry()) {
  const lines: Array<Record<string, unknown>> = [];
  let raw = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString('utf8');
      raw += text;
      for (const line of text.split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = createLogger(level, secrets, stream);
  return { logger, lines, secrets, raw: () => raw };
}
