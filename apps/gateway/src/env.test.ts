import { describe, expect, it } from 'vitest';
import { loadEnv, parsePublicOrigins } from './env.ts';

describe('BERTH_PUBLIC_URL', () => {
  it('keeps only the origins of the URLs given, comma-separated', () => {
    expect(parsePublicOrigins(undefined)).toEqual([]);
    expect(parsePublicOrigins(' ')).toEqual([]);
    expect(parsePublicOrigins('https://Berth.Example.com/dashboard, http://10.0.0.5:8080/')).toEqual(['https://berth.example.com', 'http://10.0.0.5:8080']);
  });

  it('stops start-up with one line naming a value that is not an http(s) URL', () => {
    const base = { DATABASE_URL: 'postgres://x@127.0.0.1/berth' };
    expect(() => loadEnv({ ...base, BERTH_PUBLIC_URL: 'berth.example.com' })).toThrow('configuration: BERTH_PUBLIC_URL: "berth.example.com" is not a URL; give the address users open, such as https://berth.example.com');
    expect(() => loadEnv({ ...base, BERTH_PUBLIC_URL: 'https://ok.example, ftp://files.example' })).toThrow('configuration: BERTH_PUBLIC_URL: ftp://files.example must be an http:// or https:// URL');
    expect(loadEnv({ ...base, BERTH_PUBLIC_URL: 'https://berth.example.com' }).BERTH_PUBLIC_URL).toBe('https://berth.example.com');
  });
});
