// Intl.DateTimeFormat objects, built once per locale, time zone and pattern. Building one costs far
// more than using one (a profile of bargain helps found 7% of the worker's CPU in building them),
// and the hot paths ask for the same few: an order number's stamp, a shop day, a zone's offset.

const formats = new Map<string, Intl.DateTimeFormat>();

export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions & { timeZone: string }): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}
