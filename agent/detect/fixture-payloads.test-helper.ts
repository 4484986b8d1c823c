// Test-only: the payload packets of real captures, as the flow table hands them to an inspector, so
// unit and fuzz tests can replay real bytes (whole, split, mutated) into a detector.
// NOTE: shape. One RecordedFlow per flow (in the order flows started), with its open() arguments and
// its payload packets in capture order: direction, bytes (a copy), TCP sequence number, payload length.
import { join } from 'node:path';
import type { FlowRecord } from '../../common/flow-record.js';
import type { DecodedPacket } from '../decode/packet.js';
import { createDecodedPacket } from '../decode/packet.js';
import type { FlowInspector } from '../flows/flow-table.js';
import { createFlowPipeline } from '../pipeline.js';
import { readCaptureFile } from '../capture/read-file.js';

export const FIXTURES_DIR = join(import.meta.dirname, '..', '..', 'fixtures');

export interface RecordedPacket {
  fromOrig: boolean;
  bytes: Uint8Array;
  tcpSeq: number;
  payloadLen: number;
  tsUs: number;
  /** Source and destination address words, as in DecodedPacket. */
  src: [number, number, number, number];
  dst: [number, number, number, number];
}

export interface RecordedFlow {
  file: string;
  proto: number;
  origPort: number;
  respPort: number;
  packets: RecordedPacket[];
}

/** Every flow of `file` (a name in fixtures/) with all of its payload packets (no detection bound). */
export async function recordFlows(file: string): Promise<RecordedFlow[]> {
  const all: RecordedFlow[] = [];
  const live = new Map<number, RecordedFlow>();
  const recorder: FlowInspector = {
    open(f, proto, origPort, respPort) {
      const flow: RecordedFlow = { file, proto, origPort, respPort, packets: [] };
      live.set(f, flow);
      all.push(flow);
    },
    payload(f, fromOrig, buf, off, len, p) {
      live.get(f)!.packets.push({
        fromOrig, bytes: Uint8Array.prototype.slice.call(buf, off, off + len), tcpSeq: p.tcpSeq, payloadLen: p.payloadLen, tsUs: p.tsUs,
        src: [p.src0, p.src1, p.src2, p.src3], dst: [p.dst0, p.dst1, p.dst2, p.dst3],
      });
      return true;
    },
    label() {},
  };
  const pipeline = createFlowPipeline({ inspector: recorder }, () => {});
  const res = await readCaptureFile(join(FIXTURES_DIR, file), pipeline.sink);
  if (res.error) throw new Error(`${file}: ${res.error}`);
  pipeline.finish();
  return all;
}

/** A DecodedPacket carrying one recorded packet (for calling payload() directly). */
export function packetFor(flow: RecordedFlow, pkt: RecordedPacket, bytes: Uint8Array = pkt.bytes, payloadLen = pkt.payloadLen): DecodedPacket {
  const p = createDecodedPacket();
  p.proto = flow.proto;
  p.tsUs = pkt.tsUs;
  p.tcpSeq = pkt.tcpSeq;
  p.payloadLen = payloadLen;
  p.buf = bytes;
  p.payloadOff = 0;
  p.payloadCap = bytes.length;
  [p.src0, p.src1, p.src2, p.src3] = pkt.src;
  [p.dst0, p.dst1, p.dst2, p.dst3] = pkt.dst;
  return p;
}

/**
 * Feeds a recorded flow into `inspector` as flow id `f` (open, then payloads until it says stop) and
 * returns the labelled record and the number of payload() calls made.
 */
export function replayFlow(inspector: FlowInspector, flow: RecordedFlow, f = 0): { rec: FlowRecord; calls: number } {
  inspector.open(f, flow.proto, flow.origPort, flow.respPort);
  let calls = 0;
  for (const pkt of flow.packets) {
    calls++;
    if (!inspector.payload(f, pkt.fromOrig, pkt.bytes, 0, pkt.bytes.length, packetFor(flow, pkt))) break;
  }
  const rec = {} as FlowRecord;
  inspector.label(f, rec);
  return { rec, calls };
}
