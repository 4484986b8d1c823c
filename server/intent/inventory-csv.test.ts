import { describe, expect, it } from 'vitest';
import { CsvImportError, parseInventoryCsv } from './inventory-csv.js';

function problems(csv: string): string[] {
  try {
    parseInventoryCsv(csv);
  } catch (err) {
    expect(err).toBeInstanceOf(CsvImportError);
    return (err as Error).message.split('\n');
  }
  throw new Error('expected the CSV to be refused');
}

describe('parseInventoryCsv', () => {
  it('reads name, an address column, owner and role, in any case and order', () => {
    expect(parseInventoryCsv('Role,IP,Name,Owner\npostgres,10.0.2.20,customer-db,data-team\n,10.0.1.10,web-1,\n')).toEqual({
      items: [
        { name: 'customer-db', address: '10.0.2.20', owner: 'data-team', role: 'postgres' },
        { name: 'web-1', address: '10.0.1.10' },
      ],
      ignored_columns: [],
    });
    expect(parseInventoryCsv('name,cidr\nbranch,198.51.100.0/24\n').items).toEqual([{ name: 'branch', address: '198.51.100.0/24' }]);
    expect(parseInventoryCsv('name,address\nv6,fd00::20\n').items).toEqual([{ name: 'v6', address: 'fd00::20' }]);
  });

  it('takes what spreadsheets write: BOM, CRLF, semicolons, quoted cells, short rows, extra columns', () => {
    const csv = '\ufeffName;IP;Owner;Notes\r\n"web-1";10.0.1.10;"Zoë; ops"\r\n\r\nweb-2;10.0.1.11\r\n';
    expect(parseInventoryCsv(csv)).toEqual({
      items: [
        { name: 'web-1', address: '10.0.1.10', owner: 'Zoë; ops' },
        { name: 'web-2', address: '10.0.1.11' },
      ],
      ignored_columns: ['Notes'],
    });
  });

  it('keeps the existing owner and role when the CSV has no such column; an empty cell removes them', () => {
    const existing = [{ name: 'db', address: '10.0.2.20', owner: 'data-team', role: 'postgres' }];
    expect(parseInventoryCsv('name,ip\ndb,10.0.2.21\n', existing).items).toEqual([{ name: 'db', address: '10.0.2.21', owner: 'data-team', role: 'postgres' }]);
    expect(parseInventoryCsv('name,ip,owner\ndb,10.0.2.21,\n', existing).items).toEqual([{ name: 'db', address: '10.0.2.21', role: 'postgres' }]);
  });

  it('names the CSV line of every problem', () => {
    const csv = ['name,ip,owner', 'web-1,10.0.1.300,a', '"multi', 'line",10.0.1.2,b', 'web-1,10.0.1.0/23,c', ',,', "'; DROP TABLE flows; --,10.0.0.1,d", '10.0.0.9,10.0.0.9,e', 'ok,10.0.0.10,"bad\u0007owner"', ''].join('\n');
    expect(problems(csv)).toEqual([
      'CSV line 2: ip "10.0.1.300" is not a valid IP address or CIDR',
      `CSV line 3: name "multi\\nline" is not valid: letters, digits, '_', '.' and '-', starting with a letter, digit or '_' (at most 100)`,
      'CSV line 5: name "web-1" is also on line 2',
      'CSV line 5: ip "10.0.1.0/23" has host bits set: the network is 10.0.0.0/23 (or write 10.0.1.0 for the one address)',
      'CSV line 6: name is empty',
      'CSV line 6: ip is empty',
      `CSV line 7: name "'; DROP TABLE flows; --" is not valid: letters, digits, '_', '.' and '-', starting with a letter, digit or '_' (at most 100)`,
      'CSV line 8: name "10.0.0.9" is an address; a name is what people call the host',
      'CSV line 9: owner contains the control or invisible character U+0007',
    ]);
  });

  it('checks the header', () => {
    expect(problems('')).toEqual(['CSV line 1: the CSV is empty: it needs a header row with name and ip (or cidr, address)']);
    expect(problems('host,ip\na,10.0.0.1\n')).toEqual(['CSV line 1: the header has no "name" column (it has "host", "ip")']);
    expect(problems('name,owner\na,b\n')).toEqual(['CSV line 1: the header needs one address column: ip, cidr or address']);
    expect(problems('name,ip,address\n')).toEqual(['CSV line 1: use one address column, not ip and address']);
    expect(problems('name,ip,Name\n')).toEqual(['CSV line 1: column "name" appears twice']);
  });

  it('reports CSV syntax errors with their line', () => {
    expect(problems('name,ip\na,10.0.0.1\n"b,10.0.0.2\n')).toEqual(['CSV line 3: Quote Not Closed: the parsing is finished with an opening quote']);
  });
});
