import express from 'express';
import { Server } from 'socket.io';
import pg from 'pg';

/**
 * The bare baseline: Express 5 and one SQL statement per request on the same database, with none of
 * Parley's work (validation, identity, moderation, event log, broadcast, caching). Parley's figures
 * are reported as ratios against it.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();
app.use(express.json());

app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});

// The same page Parley serves: 20 top-level comments, each with its first 3 replies, in one query.
app.get('/read/:threadId', async (req, res) => {
  const { rows } = await pool.query(
    `select t.*, coalesce((
        select json_agg(r order by r.created_at, r.id) from (
          select * from comments c where c.parent_id = t.id and c.status = 'approved'
          order by c.created_at, c.id limit 3) r), '[]') as replies
     from (select * from comments where thread_id = $1 and parent_id is null and status in ('approved', 'deleted')
           order by created_at, id limit 20) t`,
    [req.params.threadId],
  );
  res.json({ items: rows });
});

app.post('/write/:threadId', async (req, res) => {
  const { rows } = await pool.query(
    `insert into comments (id, site_id, thread_id, depth, body_src, body_html, status)
     select substr(md5(random()::text), 1, 16), site_id, id, 0, $2, $2, 'approved' from threads where id = $1
     returning *`,
    [req.params.threadId, String(req.body.body)],
  );
  res.status(201).json({ comment: rows[0] });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');

// Bare Socket.IO on the same server and transport as Parley's readers: a socket joins a room, and a
// POST broadcasts the body it carries, as is, to that room.
const io = new Server(server, { transports: ['websocket'], serveClient: false });
io.on('connection', (socket) => {
  socket.on('join', (room: string, ack: () => void) => {
    void socket.join(room);
    ack();
  });
});
app.post('/broadcast/:room', (req, res) => {
  io.to(req.params.room).emit(String(req.body.event), req.body.payload);
  res.status(202).json({ ok: true });
});
process.on('SIGTERM', () => {
  void io.close();
  server.close();
  void pool.end().then(() => process.exit(0));
});
