// NOTE: the contract between packet sources (files, live capture) and whatever consumes packets.
// Sources call sink.packet() once per record with offsets into their own buffer; the buffer is only
// valid during the call (it is a reused read chunk), so a sink copies whatever it keeps.

/** LINKTYPE_* values from https://www.tcpdump.org/linktypes.html */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export interface PacketSink {
  packet(buf: Uint8Array, off: number, capLen: number, wireLen: number, tsUs: number, linktype: number): void;
  /**
   * Optional: the sink reads a whole capture file its own way (the flow pipeline: read, walk and
   * decode on a worker thread, agent/decode/decode-ring.ts), with the same result as packet() calls
   * for every record. Resolves null, before touching the sink, to decline (then the reader calls
   * packet()); rejects only as readCaptureFile does.
   */
  readFile?(path: string, format: 'pcap' | 'pcapng', opts: ReadOptions, tuning: FileReadTuning): Promise<ReadSummary | null>;
}

/** How a sink's readFile may go about it (tests and benchmarks; empty = its defaults). */
export interface FileReadTuning {
  /** true = whenever it can, false = never, undefined = by file size. */
  use?: boolean;
  /** Chunk size and count of a shared-memory ring. */
  slotBytes?: number;
  slots?: number;
}

export interface ReadSummary {
  /** Packet records handed to the sink. */
  packets: number;
  /** File bytes consumed. */
  bytes: number;
  format: 'pcap' | 'pcapng' | 'live';
  /** Set when reading stopped early: what was wrong and where (byte offset), in words for an operator. */
  error?: string;
}

export interface ReadOptions {
  /** Called now and then with bytes consumed so far, for progress bars. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Give the event loop a turn after each chunk (for callers with network I/O to keep going). */
  yieldBetweenChunks?: boolean;
}
