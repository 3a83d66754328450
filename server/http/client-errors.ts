import type http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests Node's parser refuses before Express sees them (headers over Node's limit, a malformed
 * request line, headers sent too slowly) get the same JSON error as every other refusal (SPEC §7)
 * rather than Node's empty default answer. Each answer closes the connection, as Node's does.
 */
const ANSWERS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'headers_too_large',
    message: 'The request headers are too large. Clear this site’s cookies or send fewer headers, then try again.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'The request took too long to arrive.' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, reason: 'Payload Too Large', code: 'payload_too_large', message: 'The request body is too large.' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'bad_request', message: 'The request could not be understood.' };

export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way (or a peer already gone) cannot be answered: just close.
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const answer = ANSWERS[err.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message, details: [] } });
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        'X-Content-Type-Options: nosniff\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
      // Ending only our side would leave a client that keeps trickling bytes connected for ever:
      // once the answer is out, the connection is closed, as Node's own answer does.
      () => socket.destroy(),
    );
  });
}
