import { describe, expect, it } from 'vitest';
import { AUDIT_CSV_HEADER, auditCsvRecord, csvCell, csvRecord } from './csv.ts';

describe('the audit log as CSV', () => {
  it('leaves plain fields alone and quotes those with a comma, a quote, CR or LF', () => {
    expect(csvCell('container.start')).toBe('container.start');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line one\nline two')).toBe('"line one\nline two"');
    expect(csvCell('cr\r\nlf')).toBe('"cr\r\nlf"');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    // only at the start: an action or an address with these inside is untouched
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('2026-11-30T16:00:00.000Z')).toBe('2026-11-30T16:00:00.000Z');
  });

  it('ends records with CRLF and writes every column of an entry, params as JSON', () => {
    expect(csvRecord(AUDIT_CSV_HEADER)).toBe('id,at,actor,source,remote_addr,action,host,object_type,object_id,outcome,error,params\r\n');
    const line = auditCsvRecord({
      id: '7', at: new Date('2026-11-30T16:00:00Z'), actorName: 'ann', source: 'web', remoteAddr: '127.0.0.1', action: 'container.remove',
      hostName: 'h1', objectType: 'container', objectId: '=cmd|x', params: { force: true, name: 'a,b' }, outcome: 'error', error: 'no such container: "x"\nsee docs',
    });
    expect(line).toBe(`7,2026-11-30T16:00:00.000Z,ann,web,127.0.0.1,container.remove,h1,container,'=cmd|x,error,"no such container: ""x""\nsee docs","{""force"":true,""name"":""a,b""}"\r\n`);
  });
});
