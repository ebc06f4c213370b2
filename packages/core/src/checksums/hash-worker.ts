/**
 * The body of a hashing worker thread (`HashPool`): the same `PayloadHasher` as inline
 * hashing, so pooled and inline results cannot differ — only the thread does.
 */
import { parentPort } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hash-protocol.js';
import { PayloadHasher } from './payload-hasher.js';

const port = parentPort;
if (!port) throw new Error('hash-worker.ts runs only as a worker thread');

const hashers = new Map<number, PayloadHasher>();
const reply = (message: HashReply) => port.postMessage(message);

port.on('message', (message: HashRequest) => {
  try {
    switch (message.type) {
      case 'open':
        hashers.set(message.id, new PayloadHasher({ algorithms: message.algorithms, sha256: message.sha256 }));
        return;
      case 'update': {
        const hasher = hashers.get(message.id);
        if (!hasher) return; // closed meanwhile (the request failed): drop its bytes
        hasher.update(message.data);
        const buffer = message.data.buffer as ArrayBuffer;
        port.postMessage({ type: 'ack', id: message.id, bytes: message.data.byteLength, buffer } satisfies HashReply, [buffer]);
        return;
      }
      case 'digest': {
        const hasher = hashers.get(message.id);
        if (!hasher) throw new Error(`hash stream ${message.id} is not open`);
        hashers.delete(message.id);
        reply({ type: 'digest', id: message.id, digest: hasher.digest() });
        return;
      }
      case 'close':
        hashers.delete(message.id);
        return;
    }
  } catch (error) {
    hashers.delete(message.id);
    reply({ type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error) });
  }
});
