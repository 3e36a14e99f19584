import { describe, expect, it } from 'vitest';
import { gridMinWidth } from './table.tsx';

describe('gridMinWidth', () => {
  it('adds up the tracks\' minimums: a minmax\'s first value, a length as it is, nothing for fr, auto or content', () => {
    expect(gridMinWidth('2.25rem minmax(6rem,1.2fr) minmax(4.5rem, .8fr) 7.5rem 1fr auto')).toBe('calc(2.25rem + 6rem + 4.5rem + 7.5rem)');
    expect(gridMinWidth('  10px\tminmax(calc(1rem + 2px),1fr)  ')).toBe('calc(10px + calc(1rem + 2px))');
    expect(gridMinWidth('1fr 2fr min-content')).toBe('0px');
  });
});
