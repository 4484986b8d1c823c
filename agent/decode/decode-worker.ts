// The decode worker of decode-ring.ts: reads the capture file into shared chunk buffers, walks its
// records and decodes each packet, and posts one message per chunk with the packet descriptors.
// NOTE: protocol (see decode-ring.ts for the main side).
//   workerData: { fd, format, slots, slotBytes, ctrl: SharedArrayBuffer, port: MessagePort }
//   ctrl words: [PRODUCED] chunks posted, [RELEASED] chunks the main thread is done with, [ABORT].
//   Chunk k lives in pool slot k % slots and is reused only once RELEASED > k - slots, so the payload
//   bytes a descriptor points at stay put until the main thread has passed them.
//   A record cut by the chunk end is copied to the start of the next slot before reading on.
//   'ready' on parentPort once the modules are loaded; then a ChunkMessage per chunk on `port` (read
//   by the main thread with receiveMessageOnPort while it blocks), the last with `end` set.
import { readSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { RecordWalker } from '../capture/file-chunks.js';
import { createPcapWalker } from '../capture/pcap-file.js';
import { createPcapngWalker } from '../capture/pcapng-file.js';
import type { PacketSink } from '../capture/source.js';
import { CTRL_ABORT, CTRL_PRODUCED, CTRL_RELEASED, CTRL_WAKE_AT, DESC_WORDS, writeDescriptor, type ChunkMessage } from './decode-descriptor.js';
import { decodePacket } from './decode-packet.js';
import { createDecodedPacket, MAX_TS_US, SKIP_REASONS, Skip } from './packet.js';

interface WorkerInput {
  fd: number;
  format: 'pcap' | 'pcapng';
  slots: number;
  slotBytes: number;
  ctrl: SharedArrayBuffer;
  port: MessagePort;
}

function run(input: WorkerInput): void {
  const { fd, format, slots, slotBytes, port } = input;
  const ctrl = new Int32Array(input.ctrl);
  const data: SharedArrayBuffer[] = [];
  const bufs: Buffer[] = [];
  const descs: SharedArrayBuffer[] = [];
  for (let i = 0; i < slots; i++) {
    data.push(new SharedArrayBuffer(slotBytes));
    bufs.push(Buffer.from(data[i]!));
    // ~1 descriptor per 64 bytes to start with; grown when a chunk of tiny packets needs more.
    descs.push(new SharedArrayBuffer(Math.ceil(slotBytes / 64) * DESC_WORDS * 4));
  }

  const pkt = createDecodedPacket();
  const badTs = Skip['bad-timestamp'];
  let slot = 0;
  let desc = descs[0]!;
  let du = new Uint32Array(desc);
  let df = new Float64Array(desc);
  let count = 0;
  let skips: number[] | null = null;
  let chunkBuf = bufs[0]!;

  const sink: PacketSink = {
    packet(buf, off, capLen, wireLen, tsUs, linktype) {
      if (!(tsUs >= 0 && tsUs <= MAX_TS_US)) {
        (skips ??= new Array<number>(SKIP_REASONS.length).fill(0))[badTs]++;
        return;
      }
      const reason = decodePacket(pkt, buf, off, capLen, wireLen, linktype);
      if (reason !== Skip.ok) {
        (skips ??= new Array<number>(SKIP_REASONS.length).fill(0))[reason]++;
        return;
      }
      if (buf !== chunkBuf) throw new Error('decode worker: a walker handed over a buffer other than the chunk');
      pkt.tsUs = tsUs;
      if ((count + 1) * DESC_WORDS * 4 > desc.byteLength) {
        const bigger = new SharedArrayBuffer(desc.byteLength * 2);
        new Uint32Array(bigger).set(du.subarray(0, count * DESC_WORDS));
        desc = bigger;
        descs[slot] = bigger;
        du = new Uint32Array(desc);
        df = new Float64Array(desc);
      }
      writeDescriptor(du, df, count++, pkt);
    },
  };
  const walker: RecordWalker = format === 'pcapng' ? createPcapngWalker(sink) : createPcapWalker(sink);

  let k = 0; // chunk number
  let filePos = 0; // next file offset to read
  let base = 0; // file offset of the current slot's byte 0
  let carry = 0; // bytes of a cut record already at the start of the current slot
  parentPort?.postMessage('ready');
  for (;;) {
    // Wait until the main thread has released the chunk that last used this slot.
    if (!awaitReleased(k - slots)) return;
    const buf = bufs[slot]!;
    chunkBuf = buf;
    desc = descs[slot]!;
    du = new Uint32Array(desc);
    df = new Float64Array(desc);
    count = 0;
    skips = null;

    const msg: ChunkMessage = { kind: 'chunk', data: data[slot]!, desc, count: 0, skipped: null, consumed: base, packets: 0, end: false };
    let fill = carry;
    let eof = false;
    try {
      while (fill < buf.length) {
        const n = readSync(fd, buf, fill, buf.length - fill, filePos);
        if (n === 0) { eof = true; break; }
        fill += n;
        filePos += n;
      }
    } catch (e) {
      msg.ioError = e instanceof Error ? e.message : String(e);
      msg.end = true;
      post(msg);
      return;
    }
    const pos = walker.walk(buf, 0, fill, base);
    msg.desc = desc; // may have grown
    msg.count = count;
    msg.skipped = skips;
    msg.consumed = base + pos;
    msg.packets = walker.packets;
    const rest = fill - pos;
    if (walker.error === undefined && eof && rest > 0) walker.error = walker.truncated(base + pos, rest);
    if (walker.error !== undefined || eof) {
      if (walker.error !== undefined) msg.error = walker.error;
      msg.end = true;
      post(msg);
      return;
    }
    post(msg);
    // Carry the cut record into the next slot (grown when one record is larger than a slot), once the
    // main thread has released that slot; the chunk just posted is only read from.
    const next = (slot + 1) % slots;
    if (!awaitReleased(k + 1 - slots)) return;
    const need = Math.max(walker.need, rest + 1);
    if (need > bufs[next]!.length) {
      data[next] = new SharedArrayBuffer(Math.max(need, bufs[next]!.length * 2));
      bufs[next] = Buffer.from(data[next]!);
    }
    if (rest > 0) bufs[next]!.set(buf.subarray(pos, fill), 0);
    carry = rest;
    base += pos;
    slot = next;
    k++;
  }

  /**
   * Returns once RELEASED > `above` (false when the main thread aborted). When it must sleep, it sleeps
   * until half the ring is free, not one slot: the main thread then has that many chunks to work through
   * and wakes this thread once per half ring instead of once per chunk (see CTRL_WAKE_AT).
   */
  function awaitReleased(above: number): boolean {
    for (;;) {
      if (Atomics.load(ctrl, CTRL_ABORT) !== 0) return false;
      let released = Atomics.load(ctrl, CTRL_RELEASED);
      if (released > above) return true;
      const target = above + Math.max(1, slots >> 1);
      Atomics.store(ctrl, CTRL_WAKE_AT, target);
      // Sequentially consistent: either the main thread's next release sees WAKE_AT (and wakes us), or
      // this load sees its release (and the wait below returns at once, the value having changed).
      released = Atomics.load(ctrl, CTRL_RELEASED);
      if (released >= target) {
        Atomics.store(ctrl, CTRL_WAKE_AT, 0);
        continue;
      }
      Atomics.wait(ctrl, CTRL_RELEASED, released, 1000);
    }
  }

  function post(msg: ChunkMessage): void {
    port.postMessage(msg);
    Atomics.add(ctrl, CTRL_PRODUCED, 1);
    Atomics.notify(ctrl, CTRL_PRODUCED);
  }
}

try {
  run(workerData as WorkerInput);
} catch (e) {
  // Unexpected (a bug): say so as a read error rather than leave the main thread waiting.
  const input = workerData as WorkerInput;
  const msg: ChunkMessage = {
    kind: 'chunk', data: new SharedArrayBuffer(0), desc: new SharedArrayBuffer(0), count: 0, skipped: null,
    consumed: 0, packets: 0, end: true, ioError: `decode worker failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`,
  };
  input.port.postMessage(msg);
  const ctrl = new Int32Array(input.ctrl);
  Atomics.add(ctrl, CTRL_PRODUCED, 1);
  Atomics.notify(ctrl, CTRL_PRODUCED);
}
