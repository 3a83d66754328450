/**
 * One process of the cluster scenario's readers (test/bench/cluster.ts forks several, so the
 * readers' own work is spread over the machine's cores). Each reader is the widget's live client
 * (client/shared/live.ts) following one thread through this process's own round-robin balancer over
 * the Parley instances, so a reader whose instance dies reconnects to another one, as it would
 * behind a real load balancer.
 *
 * It records, per comment, how many of its readers hold it, when the last of them got it, and how
 * many deliveries were repeats (the same comment twice to one reader), and answers the parent's
 * `report` messages with that.
 */
import { createLiveClient, type LiveClient } from '../../client/shared/live';
import { startBalancer, type Balancer } from '../helpers/balancer';
import { loadAll } from '../helpers/reader';

interface Start {
  type: 'start';
  ports: number[];
  threadId: string;
  count: number;
}
type Message = Start | { type: 'report' } | { type: 'ports'; ports: number[] } | { type: 'stop' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (message: unknown) => process.send?.(message);

/** Comment id → a small index, so each reader's record is a byte per comment. */
const index = new Map<string, number>();
const holders: number[] = [];
const lastAt: number[] = [];
let repeats = 0;
let resyncs = 0;
let offline = 0;
const clients: LiveClient[] = [];
const held: Uint8Array[] = [];
let ports: number[] = [];
let balancer: Balancer | undefined;

function indexOf(id: string): number {
  let i = index.get(id);
  if (i === undefined) {
    i = index.size;
    index.set(id, i);
    holders.push(0);
    lastAt.push(0);
  }
  return i;
}

function received(reader: number, id: string, at: number, reloaded = false): void {
  const i = indexOf(id);
  let mine = held[reader]!;
  if (i >= mine.length) {
    const grown = new Uint8Array(Math.max(mine.length * 2, i + 1));
    grown.set(mine);
    held[reader] = mine = grown;
  }
  if (mine[i]) {
    if (!reloaded) repeats++;
    return;
  }
  mine[i] = 1;
  holders[i]!++;
  if (at > lastAt[i]!) lastAt[i] = at;
}

function follow(url: string, threadId: string, reader: number): Promise<void> {
  held[reader] = new Uint8Array(256);
  const client = createLiveClient({ url, socket: { forceNew: true, reconnectionDelay: 250, reconnectionDelayMax: 2_000, timeout: 60_000 } });
  clients.push(client);
  return new Promise((resolve) => {
    let live = false;
    const thread = client.follow(threadId, {
      since: null,
      onEvent: ({ event, payload }) => {
        if (event === 'comment:created') received(reader, payload.comment.id, Date.now());
      },
      onResync: () => {
        resyncs++;
        void loadAll(url, threadId).then(({ ids, seq }) => {
          const at = Date.now();
          for (const id of ids) received(reader, id, at, true);
          thread.resync(seq);
        });
      },
      onStatus: (status) => {
        if (status === 'live' && !live) {
          live = true;
          resolve();
        }
        if (status === 'offline') offline++;
      },
    });
  });
}

async function start(message: Start): Promise<void> {
  ports = message.ports;
  balancer = await startBalancer(() => ports);
  const BATCH = 50;
  for (let i = 0; i < message.count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, message.count - i) }, (_, k) => follow(balancer!.url, message.threadId, i + k));
    await Promise.all(batch);
  }
  // Idle a moment, as a page does after loading, before the parent starts posting.
  await sleep(500);
  send({ type: 'ready', readers: clients.length });
}

process.on('message', (message: Message) => {
  if (message.type === 'start') {
    start(message).catch((err: Error) => send({ type: 'failed', error: err.message }));
  } else if (message.type === 'ports') {
    ports = message.ports;
  } else if (message.type === 'report') {
    const comments: Record<string, [number, number]> = {};
    for (const [id, i] of index) comments[id] = [holders[i]!, lastAt[i]!];
    send({ type: 'report', readers: clients.length, comments, repeats, resyncs, offline });
  } else if (message.type === 'stop') {
    for (const client of clients) client.close();
    void balancer?.close().finally(() => process.exit(0));
  }
});
