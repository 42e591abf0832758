import { describe, expect, it } from 'vitest';
import type { DecodedImage } from './decoded.js';
import { drawJitter } from './jitter.js';
import { parseReadOptions } from './options.js';
import { type Decode, type FromWorker, type ToWorker, workerHandler } from './protocol.js';

/** A decoder that logs when each image starts and ends, taking a few event-loop turns per image. */
function loggingDecode(log: string[]): Decode {
  return async (_source, name) => {
    log.push(`start ${name}`);
    for (let k = 0; k < 3; k++) await new Promise((r) => setTimeout(r, 1));
    log.push(`end ${name}`);
    const image: DecodedImage = { width: 2, height: 2, channels: 1, data: new Uint8Array([1, 2, 3, 4]) };
    return image;
  };
}

function send(inProgress: number | undefined) {
  const log: string[] = [];
  const replies: FromWorker[] = [];
  const handle = workerHandler(loggingDecode(log), (msg) => {
    replies.push(msg);
    log.push(`reply ${msg.id}`);
  }, inProgress === undefined ? {} : { inProgress });
  const spec = parseReadOptions('test', {}).spec;
  const draws = drawJitter(0, 1)[0]!;
  const msgs: ToWorker[] = [
    { type: 'spec', specId: 1, spec },
    ...[0, 1, 2].map((id): ToWorker => ({ type: 'job', id, specId: 1, source: `im${id}`, name: `im${id}`, draws })),
    { type: 'forget', specId: 1 },
  ];
  return { log, replies, done: Promise.all(msgs.map((m) => handle(m))) };
}

describe('workerHandler', () => {
  it('with inProgress 1, finishes each job (decode, transform, reply) before the next starts; a later forget does not touch queued jobs', async () => {
    const { log, replies, done } = send(1);
    await done;
    expect(log).toEqual(['start im0', 'end im0', 'reply 0', 'start im1', 'end im1', 'reply 1', 'start im2', 'end im2', 'reply 2']);
    expect(replies.map((r) => r.type)).toEqual(['done', 'done', 'done']);
  });

  it('with inProgress 2 (the Node workers), the next job starts as one ends, never a third beside two', async () => {
    const { log, replies, done } = send(2);
    await done;
    expect(log.slice(0, 2)).toEqual(['start im0', 'start im1']);
    expect(log.indexOf('start im2')).toBeGreaterThan(log.indexOf('reply 0'));
    expect(replies.map((r) => r.type)).toEqual(['done', 'done', 'done']);
  });

  it('without it, starts every job at once (the browser workers’ behaviour)', async () => {
    const { log, done } = send(undefined);
    await done;
    expect(log.slice(0, 3)).toEqual(['start im0', 'start im1', 'start im2']);
  });
});
