// AEAD_AES_256_GCM decryption of notification resources (src/wechat/aead.ts).
import { describe, expect, it } from 'vitest';
import { AeadDecryptError, decryptAeadResource } from '../../../src/wechat/aead';
import { toBase64 } from '../../../src/wechat/encoding';

// The official SDK's vector (wechatpay-go utils/aes_test.go). Its key is 16 bytes, so this is
// AES-128-GCM, but it takes the same path as the 32-byte APIv3 key.
const GO_VECTOR = {
  key: 'testAPIv3Key0000',
  resource: { ciphertext: 'FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC', nonce: 'wCq51qZv4Yfg', associated_data: 'Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8' },
};

const API_V3_KEY = 'Wx8cQ2pL0sN4vB7mK1zR5tY9uJ3hG6fD'; // 32 bytes, like a real APIv3 key

async function encrypt(key: string, plaintext: string, nonce: string, associatedData: string) {
  const cryptoKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), 'AES-GCM', false, ['encrypt']);
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: new TextEncoder().encode(nonce), additionalData: new TextEncoder().encode(associatedData) },
    cryptoKey,
    new TextEncoder().encode(plaintext),
  );
  return { ciphertext: toBase64(new Uint8Array(sealed)), nonce, associated_data: associatedData };
}

describe('decryptAeadResource', () => {
  it('decrypts the official wechatpay-go test vector to "Hello World"', async () => {
    expect(await decryptAeadResource(GO_VECTOR.key, GO_VECTOR.resource)).toBe('Hello World');
  });

  it('refuses the vector with the wrong key, nonce, associated data or ciphertext', async () => {
    const { key, resource } = GO_VECTOR;
    await expect(decryptAeadResource('testAPIv3Key1111', resource)).rejects.toBeInstanceOf(AeadDecryptError);
    await expect(decryptAeadResource('not a aes key', resource)).rejects.toBeInstanceOf(AeadDecryptError);
    await expect(decryptAeadResource(key, { ...resource, nonce: 'wCq51qZv4Yfh' })).rejects.toBeInstanceOf(AeadDecryptError);
    await expect(decryptAeadResource(key, { ...resource, associated_data: 'transaction' })).rejects.toBeInstanceOf(AeadDecryptError);
    await expect(decryptAeadResource(key, { ...resource, ciphertext: 'SGVsbG8gV29ybGQK' })).rejects.toBeInstanceOf(AeadDecryptError);
    await expect(decryptAeadResource(key, { ...resource, ciphertext: 'invalid cipher' })).rejects.toBeInstanceOf(AeadDecryptError);
  });

  it('round-trips a transaction resource with a 32-byte APIv3 key', async () => {
    const plaintext = JSON.stringify({ out_trade_no: 'T123456', trade_state: 'SUCCESS', amount: { total: 12900 }, summary: '支付成功' });
    const resource = await encrypt(API_V3_KEY, plaintext, 'abcdefghijkl', 'transaction');
    expect(await decryptAeadResource(API_V3_KEY, resource)).toBe(plaintext);
  });

  it('treats missing associated data as empty, as WeChat Pay allows', async () => {
    const resource = await encrypt(API_V3_KEY, '{"ok":true}', 'n0nce0n0nce0', '');
    expect(await decryptAeadResource(API_V3_KEY, { ciphertext: resource.ciphertext, nonce: resource.nonce })).toBe('{"ok":true}');
    expect(await decryptAeadResource(API_V3_KEY, { ...resource, associated_data: null })).toBe('{"ok":true}');
  });

  it('detects a single flipped bit anywhere in the ciphertext or tag', async () => {
    const resource = await encrypt(API_V3_KEY, 'pay me', 'abcdefghijkl', 'transaction');
    const bytes = Uint8Array.from(atob(resource.ciphertext), (c) => c.charCodeAt(0));
    for (const index of [0, bytes.length - 1]) {
      const flipped = bytes.slice();
      flipped[index]! ^= 0x80;
      await expect(decryptAeadResource(API_V3_KEY, { ...resource, ciphertext: toBase64(flipped) })).rejects.toBeInstanceOf(AeadDecryptError);
    }
  });
});
