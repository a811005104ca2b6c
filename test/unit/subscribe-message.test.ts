// Subscribe-message values always fit their WeChat type (so 47003 cannot happen).
import { describe, expect, it } from 'vitest';
import { encodeMessage, encodeValue } from '../../src/domain/subscribe-message';

describe('subscribe-message values', () => {
  it('cuts and cleans each type to its limits', () => {
    expect([...encodeValue('thing', '法式复古碎花连衣裙 夏季新款 收腰显瘦 长款 度假风')].length).toBeLessThanOrEqual(20);
    expect(encodeValue('thing', '')).toBe('-');
    expect(encodeValue('character_string', '2612021530 123456/中文')).toBe('2612021530123456');
    expect(encodeValue('character_string', 'A'.repeat(40))).toHaveLength(32);
    expect(encodeValue('phrase', '退款成功了呀哈')).toBe('退款成功了');
    expect(encodeValue('amount', 12345)).toBe('¥123.45');
    expect(encodeValue('amount', 5)).toBe('¥0.05');
    expect(encodeValue('time', Date.UTC(2026, 11, 2, 1, 30))).toBe('2026-12-02 09:30');
  });

  it('builds every field of a message in its layout', () => {
    expect(encodeMessage('order_shipped', ['261202', '裙子', '顺丰速运', 'SF123'])).toEqual({
      character_string1: { value: '261202' },
      thing2: { value: '裙子' },
      thing3: { value: '顺丰速运' },
      character_string4: { value: 'SF123' },
    });
  });
});
