// AEAD_AES_256_GCM, the encryption of WeChat Pay notification resources: key = the APIv3 key's
// UTF-8 bytes, iv = the resource nonce's UTF-8 bytes, additional data = associated_data's UTF-8
// bytes, ciphertext = base64 of the encrypted bytes followed by the 16-byte GCM tag.
import { fromBase64, utf8 } from './encoding';

export type AeadResource = { ciphertext: string; nonce: string; associated_data?: string | null };

export class AeadDecryptError extends Error {}

/**
 * The plaintext of `resource`, or AeadDecryptError when the key, nonce, additional data or
 * ciphertext is wrong: GCM authenticates all four. The key length is not checked here (the
 * official SDK's AES-128 test vector takes the same path); the pay client insists on 32 bytes.
 */
export async function decryptAeadResource(apiV3Key: string, resource: AeadResource): Promise<string> {
  let ciphertext: Uint8Array;
  try {
    ciphertext = fromBase64(resource.ciphertext);
  } catch {
    throw new AeadDecryptError('ciphertext is not base64');
  }
  try {
    const key = await crypto.subtle.importKey('raw', utf8(apiV3Key), 'AES-GCM', false, ['decrypt']);
    const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: utf8(resource.nonce), additionalData: utf8(resource.associated_data ?? ''), tagLength: 128 }, key, ciphertext);
    return new TextDecoder().decode(plaintext);
  } catch {
    throw new AeadDecryptError('resource does not decrypt with this key');
  }
}
