import pino, { type Logger } from 'pino';

/** Structured JSON logs. Secrets are redacted wherever they might appear in a logged object. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'parley' },
      redact: {
        paths: ['*.authorization', '*.cookie', '*.password', '*.token', '*.commenterToken', '*.email', '*.ip'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
