// Reads back the Native blocks the collector writes (server/store/native-block.ts), for tests that look
// at values rather than bytes. Only the types the encoder writes; anything else throws. The engine's
// own reading of the same blocks is tested against chdb in server/store/store.test.ts.

export interface NativeBlock {
  rows: number;
  columns: { name: string; type: string; values: unknown[] }[];
}

export function readNativeBlock(block: Uint8Array): NativeBlock {
  const b = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  let p = 0;
  const varUInt = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const x = b[p++]!;
      n += (x & 0x7f) * mul;
      if (x < 0x80) return n;
      mul *= 128;
    }
  };
  const str = (): string => {
    const n = varUInt();
    const s = b.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  const one = (type: string): unknown => {
    switch (type) {
      case 'String':
        return str();
      case 'UInt16':
        return (p += 2), b.readUInt16LE(p - 2);
      case 'UInt32':
        return (p += 4), b.readUInt32LE(p - 4);
      case 'UInt64':
        return (p += 8), b.readBigUInt64LE(p - 8);
      case "DateTime64(6, 'UTC')":
        return (p += 8), b.readBigInt64LE(p - 8);
      case 'Float64':
        return (p += 8), b.readDoubleLE(p - 8);
      case 'IPv6':
        return (p += 16), ipv6Text(b.subarray(p - 16, p));
      default:
        throw new Error(`readNativeBlock: type ${type} not supported`);
    }
  };
  const ncols = varUInt();
  const rows = varUInt();
  const columns: NativeBlock['columns'] = [];
  for (let c = 0; c < ncols; c++) {
    const name = str();
    const type = str();
    const nullable = /^Nullable\((.*)\)$/.exec(type);
    let values: unknown[];
    if (nullable) {
      const nulls = Array.from({ length: rows }, () => b[p++]!);
      values = nulls.map((isNull) => {
        const v = one(nullable[1]!);
        return isNull === 1 ? null : v;
      });
    } else values = Array.from({ length: rows }, () => one(type));
    columns.push({ name, type, values });
  }
  if (p !== b.length) throw new Error(`readNativeBlock: ${b.length - p} bytes after the block`);
  return { rows, columns };
}

/** Rows of a block as objects keyed by column name. */
export function nativeRows(block: Uint8Array): Record<string, unknown>[] {
  const { rows, columns } = readNativeBlock(block);
  return Array.from({ length: rows }, (_, r) => Object.fromEntries(columns.map((c) => [c.name, c.values[r]])));
}

/** ::ffff:a.b.c.d for mapped IPv4, else eight groups in hex (no compression: enough to compare). */
function ipv6Text(x: Buffer): string {
  if (x.subarray(0, 10).every((v) => v === 0) && x[10] === 0xff && x[11] === 0xff) return `::ffff:${x[12]}.${x[13]}.${x[14]}.${x[15]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(x.readUInt16BE(i).toString(16));
  return groups.join(':');
}
