// The intent the API tests put over fixtures/small-office.pcap: one zone per host (clients 192.0.2.10,
// servers 192.0.2.16/28 with the file server .20, dns .53; each with its IPv6 twin) and the server as
// the crown jewel `files-api`. Tests add their own inventory (and rules) after it.

export const FILES_API = 'files-api';
export const FILES_API_IPS = ['192.0.2.20', '2001:db8:20::20'] as const;

export type InventoryEntry = string | { address: string; owner?: string; role?: string };

/** YAML text ending in `inventory:` followed by the given items (name → address, or address + owner/role). */
export function smallOfficeIntent(inventory: Record<string, InventoryEntry>, header = '# test intent: one zone per host'): string {
  const items = Object.entries(inventory).map(([name, e]) => {
    const { address, owner, role } = typeof e === 'string' ? { address: e, owner: undefined, role: undefined } : e;
    return `  - name: ${name}\n    address: "${address}"\n${owner ? `    owner: ${owner}\n` : ''}${role ? `    role: ${role}\n` : ''}`;
  });
  return `${header}
zones:
  - name: clients
    kind: internal
    cidrs: [192.0.2.10/32, "2001:db8:20::10/128"]
  - name: servers
    kind: internal
    cidrs: [192.0.2.16/28, "2001:db8:20::20/128"]
  - name: dns
    kind: internal
    cidrs: [192.0.2.53, "2001:db8:20::53"]
crown_jewels:
  - name: ${FILES_API}
    match: [${FILES_API_IPS[0]}, "${FILES_API_IPS[1]}"]
    owner: platform-team
    why: customer files
inventory:
${items.join('')}`;
}
