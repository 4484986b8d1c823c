// "Likely server ports": when the first packet of a flow is not a SYN (capture started mid-stream, UDP,
// a lost SYN), the initiator is the sender of that first packet unless only its source port looks like
// a service port — then the receiver is taken as the initiator. This is Zeek's rule
// (likely_server_ports), with a port list of our own: every port below 1024 plus the registered ports
// that internal services commonly listen on (databases, brokers, metrics, admin APIs).

const SERVICE_PORTS = [
  1080, 1194, 1433, 1434, 1521, 1812, 1813, 1883, 2049, 2181, 2375, 2376, 2379, 2380, 3000, 3128, 3268,
  3269, 3306, 3389, 3478, 4317, 4318, 4369, 4443, 4789, 5000, 5044, 5060, 5061, 5222, 5353, 5432, 5433,
  5601, 5671, 5672, 5900, 5984, 5985, 5986, 6379, 6380, 6432, 6443, 6514, 6660, 6667, 7000, 7001, 7199,
  7474, 7687, 8000, 8008, 8080, 8081, 8086, 8088, 8089, 8125, 8126, 8200, 8300, 8301, 8443, 8500, 8883,
  8888, 9000, 9042, 9043, 9090, 9091, 9092, 9093, 9094, 9100, 9104, 9108, 9121, 9187, 9200, 9300, 9411,
  9418, 9443, 9999, 10250, 10255, 10256, 11211, 15672, 16379, 25565, 27017, 27018, 27019, 50000,
];

const servicePort = new Uint8Array(65536);
for (let p = 1; p < 1024; p++) servicePort[p] = 1;
for (const p of SERVICE_PORTS) servicePort[p] = 1;

export function isLikelyServerPort(port: number): boolean {
  return servicePort[port & 0xffff] === 1;
}

/** Listed for README/docs. */
export const LIKELY_SERVER_PORTS_ABOVE_1023: readonly number[] = SERVICE_PORTS;
