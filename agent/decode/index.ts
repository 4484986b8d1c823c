// Public surface of the packet decoders.
export { decodePacket } from './decode-packet.js';
export { formatAddress } from './address.js';
export { createFileDecoder, DECODE_WORKER_MIN_BYTES, type DecodedPacketSink } from './decode-ring.js';
export { LINKTYPE_RAW_OLD_12, LINKTYPE_RAW_OLD_14 } from './link.js';
export {
  createDecodedPacket, FRAG_FIRST, FRAG_NONE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
  SKIP_REASONS, Skip, type DecodedPacket, type SkipReason,
} from './packet.js';
