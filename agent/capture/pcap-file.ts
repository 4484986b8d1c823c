// Classic pcap files: microsecond and nanosecond magic, either byte order.
// Spec: https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/
import { u16, u32, u32be, u32le } from '../../common/bytes.js';
import { MAX_RECORD_BYTES, hex32, walkFile, type RecordWalker } from './file-chunks.js';
import type { PacketSink, ReadOptions, ReadSummary } from './source.js';

/** Magic numbers as read in the writer's byte order. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Alexey Kuznetsov's "modified" pcap (24-byte record headers); recognised only to say so. */
export const PCAP_MAGIC_KUZNETSOV = 0xa1b2cd34;

// File header, https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcap#section-4
const FH_MAGIC = 0;
const FH_VERSION_MAJOR = 4;
const FH_VERSION_MINOR = 6;
const FH_SNAPLEN = 16;
const FH_LINKTYPE = 20; // LinkType and additional information
export const PCAP_FILE_HEADER_LEN = 24;
/** The link type is the low 16 bits; bits 26-31 carry FCS information (libpcap LT_LINKTYPE). */
const LINKTYPE_MASK = 0xffff;

// Packet record header, https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcap#section-5
const REC_TS_SEC = 0;
const REC_TS_FRAC = 4; // µs or ns, by magic
const REC_CAP_LEN = 8;
const REC_WIRE_LEN = 12;
export const PCAP_RECORD_HEADER_LEN = 16;

/** libpcap/Wireshark accept records up to this size whatever the header's snaplen says. */
const STANDARD_MAX_SNAPLEN = 262144;

/** Byte order and timestamp unit from the first four bytes, or undefined when it is not classic pcap. */
export function sniffPcapMagic(b: Uint8Array): { le: boolean; nsec: boolean } | undefined {
  const le = u32le(b, FH_MAGIC);
  const be = u32be(b, FH_MAGIC);
  if (le === PCAP_MAGIC_US) return { le: true, nsec: false };
  if (be === PCAP_MAGIC_US) return { le: false, nsec: false };
  if (le === PCAP_MAGIC_NS) return { le: true, nsec: true };
  if (be === PCAP_MAGIC_NS) return { le: false, nsec: true };
  return undefined;
}

export function createPcapWalker(sink: PacketSink): RecordWalker {
  let headerDone = false;
  let le = true;
  let nsec = false;
  let linktype = 0;
  let snaplen = 0;
  let maxCap = 0;

  const w: RecordWalker = {
    format: 'pcap',
    packets: 0,
    need: 0,
    error: undefined,
    walk(buf, start, end, base) {
      let p = start;
      if (!headerDone) {
        if (end - p < PCAP_FILE_HEADER_LEN) {
          w.need = PCAP_FILE_HEADER_LEN;
          return p;
        }
        const magic = sniffPcapMagic(buf.subarray(p, p + 4));
        if (magic === undefined) {
          w.error = `not a classic pcap file (magic ${hex32(u32be(buf, p))})`;
          return p;
        }
        le = magic.le;
        nsec = magic.nsec;
        const major = u16(buf, p + FH_VERSION_MAJOR, le);
        const minor = u16(buf, p + FH_VERSION_MINOR, le);
        if (major !== 2) {
          w.error = `unsupported pcap version ${major}.${minor} (expected 2.4)`;
          return p;
        }
        snaplen = u32(buf, p + FH_SNAPLEN, le);
        linktype = u32(buf, p + FH_LINKTYPE, le) & LINKTYPE_MASK;
        maxCap = Math.min(MAX_RECORD_BYTES, Math.max(snaplen, STANDARD_MAX_SNAPLEN));
        headerDone = true;
        p += PCAP_FILE_HEADER_LEN;
      }
      return le ? walkRecordsLe(w, sink, buf, p, end, base) : walkRecordsBe(w, sink, buf, p, end, base);
    },
    truncated(fileOff, have) {
      if (!headerDone) {
        return `file ends inside the pcap file header: truncated capture? (only ${have} of its ${PCAP_FILE_HEADER_LEN} bytes are present)`;
      }
      const of = have < PCAP_RECORD_HEADER_LEN ? `${have} of its ${PCAP_RECORD_HEADER_LEN} header bytes` : `${have} of its ${w.need} bytes`;
      return `file ends mid-record at offset ${fileOff}: truncated capture? (only ${of} are present)`;
    },
  };

  // Two copies of the record loop, one per byte order, so the hot loop has no byte-order branch.
  // They differ only in u32le/u32be.
  function walkRecordsLe(w: RecordWalker, sink: PacketSink, buf: Buffer, p: number, end: number, base: number): number {
    const lt = linktype;
    const max = maxCap;
    const ns = nsec;
    let n = 0;
    while (end - p >= PCAP_RECORD_HEADER_LEN) {
      const cap = u32le(buf, p + REC_CAP_LEN);
      if (cap > max) {
        w.error = corruptRecord(base + p, cap);
        break;
      }
      const next = p + PCAP_RECORD_HEADER_LEN + cap;
      if (next > end) {
        w.need = PCAP_RECORD_HEADER_LEN + cap;
        w.packets += n;
        return p;
      }
      const frac = u32le(buf, p + REC_TS_FRAC);
      const tsUs = u32le(buf, p + REC_TS_SEC) * 1e6 + (ns ? Math.floor(frac / 1000) : frac);
      sink.packet(buf, p + PCAP_RECORD_HEADER_LEN, cap, u32le(buf, p + REC_WIRE_LEN), tsUs, lt);
      n++;
      p = next;
    }
    w.need = PCAP_RECORD_HEADER_LEN;
    w.packets += n;
    return p;
  }

  function walkRecordsBe(w: RecordWalker, sink: PacketSink, buf: Buffer, p: number, end: number, base: number): number {
    const lt = linktype;
    const max = maxCap;
    const ns = nsec;
    let n = 0;
    while (end - p >= PCAP_RECORD_HEADER_LEN) {
      const cap = u32be(buf, p + REC_CAP_LEN);
      if (cap > max) {
        w.error = corruptRecord(base + p, cap);
        break;
      }
      const next = p + PCAP_RECORD_HEADER_LEN + cap;
      if (next > end) {
        w.need = PCAP_RECORD_HEADER_LEN + cap;
        w.packets += n;
        return p;
      }
      const frac = u32be(buf, p + REC_TS_FRAC);
      const tsUs = u32be(buf, p + REC_TS_SEC) * 1e6 + (ns ? Math.floor(frac / 1000) : frac);
      sink.packet(buf, p + PCAP_RECORD_HEADER_LEN, cap, u32be(buf, p + REC_WIRE_LEN), tsUs, lt);
      n++;
      p = next;
    }
    w.need = PCAP_RECORD_HEADER_LEN;
    w.packets += n;
    return p;
  }

  function corruptRecord(fileOff: number, cap: number): string {
    const limit = maxCap === MAX_RECORD_BYTES ? `, reader limit ${MAX_RECORD_BYTES}` : '';
    return `record at offset ${fileOff} claims ${cap} bytes (snaplen ${snaplen}${limit}): file is corrupt`;
  }

  return w;
}

/** Reads a classic pcap file synchronously in ~2 MiB chunks (see file-chunks.ts). */
export function readPcapFile(path: string, sink: PacketSink, opts: ReadOptions = {}, chunkBytes?: number): ReadSummary {
  return walkFile(path, createPcapWalker(sink), opts, chunkBytes);
}
