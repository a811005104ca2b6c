// Phone numbers are personal data: every response but the owner's own profile masks them.

/** "13800000000" → "138****0000"; other lengths keep only their first 3 and last 2–4 digits. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null;
  const digits = phone.replace(/\D/g, '');
  const national = digits.length > 11 && digits.startsWith('86') ? digits.slice(2) : digits;
  if (national.length < 7) return '****';
  const tail = national.length >= 11 ? 4 : 2;
  return `${national.slice(0, 3)}****${national.slice(-tail)}`;
}
