// Public surface of protocol, encryption and auth detection.
export { createDetector, MAX_BYTES_PER_PACKET, MAX_PACKETS_PER_DIRECTION, type Detector, type DetectorOptions, type DetectorStats } from './detector.js';
export type { OnName } from './dns.js';
export { APP_NAMES, type AppName } from './state.js';
