// The fallback when content matched nothing: a guess from the responder's (else the initiator's)
// well-known port, always reported with `app_guess: 'port'`. IANA service names:
// https://www.iana.org/assignments/service-names-port-numbers/
const TCP_PORTS: Record<number, string> = {
  20: 'ftp-data', 21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 53: 'dns', 80: 'http', 88: 'kerberos',
  110: 'pop3', 111: 'rpcbind', 135: 'msrpc', 139: 'netbios-ssn', 143: 'imap', 179: 'bgp', 389: 'ldap', 464: 'kpasswd',
  443: 'tls', 445: 'smb', 465: 'smtps', 587: 'smtp', 636: 'ldaps', 853: 'dns-over-tls', 873: 'rsync',
  993: 'imaps', 995: 'pop3s', 1433: 'mssql', 1521: 'oracle', 1883: 'mqtt', 2003: 'graphite', 2049: 'nfs',
  2181: 'zookeeper', 2375: 'docker', 2376: 'docker-tls', 2379: 'etcd', 3000: 'http', 3306: 'mysql',
  3389: 'rdp', 4317: 'otlp-grpc', 4318: 'otlp-http', 5044: 'beats', 5432: 'postgres', 5433: 'postgres',
  5601: 'kibana', 5671: 'amqps', 5672: 'amqp', 5900: 'vnc', 5984: 'couchdb', 5985: 'winrm', 5986: 'winrm-tls',
  6379: 'redis', 6380: 'redis', 6432: 'postgres', 6443: 'kubernetes-api', 7000: 'cassandra', 7687: 'bolt',
  8080: 'http', 8086: 'influxdb', 8200: 'vault', 8443: 'tls', 8500: 'consul', 8883: 'mqtt-tls', 9000: 'http',
  9042: 'cassandra', 9090: 'prometheus', 9092: 'kafka', 9093: 'alertmanager', 9100: 'node-exporter',
  9200: 'elasticsearch', 9300: 'elasticsearch', 9418: 'git', 10250: 'kubelet', 11211: 'memcached',
  15672: 'rabbitmq-mgmt', 27017: 'mongodb', 27018: 'mongodb',
};

const UDP_PORTS: Record<number, string> = {
  53: 'dns', 67: 'dhcp', 68: 'dhcp', 69: 'tftp', 88: 'kerberos', 123: 'ntp', 137: 'netbios-ns', 138: 'netbios-dgm',
  161: 'snmp', 162: 'snmp-trap', 443: 'quic', 464: 'kpasswd', 500: 'ike', 514: 'syslog', 546: 'dhcpv6', 547: 'dhcpv6',
  1812: 'radius', 1813: 'radius', 3478: 'stun', 4500: 'ike', 4789: 'vxlan', 5353: 'mdns', 5355: 'llmnr',
  8125: 'statsd', 8126: 'statsd', 11211: 'memcached', 51820: 'wireguard',
};

/** The port-based guess for a TCP (6) or UDP (17) flow, or undefined. */
export function portGuess(proto: number, origPort: number, respPort: number): string | undefined {
  const table = proto === 6 ? TCP_PORTS : proto === 17 ? UDP_PORTS : undefined;
  if (table === undefined) return undefined;
  return Object.hasOwn(table, respPort) ? table[respPort] : Object.hasOwn(table, origPort) ? table[origPort] : undefined;
}
