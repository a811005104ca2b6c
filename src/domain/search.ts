// Search text rules. FTS5's trigram tokenizer finds any substring of ≥ 3 characters; shorter
// terms (most Chinese words: 裙, 外套) are looked up in a table of 1- and 2-character grams.
export const MAX_QUERY_LENGTH = 40;
export const MAX_QUERY_TERMS = 5;

/** Lower-cases, drops punctuation and splits on whitespace; repeats removed. */
export function searchTerms(query: string): string[] {
  const cleaned = query
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ');
  return [...new Set(cleaned.split(/\s+/).filter(Boolean))].slice(0, MAX_QUERY_TERMS);
}

export const isShortTerm = (term: string) => [...term].length < 3;

/** Every 1- and 2-character gram of a text, for the short-term index. */
export function shortGrams(text: string): string[] {
  const grams = new Set<string>();
  for (const word of searchTerms(text.slice(0, 500))) {
    const chars = [...word];
    chars.forEach((ch, i) => {
      grams.add(ch);
      if (i + 1 < chars.length) grams.add(ch + chars[i + 1]);
    });
  }
  return [...grams];
}

/** An FTS5 MATCH expression requiring every term as a literal phrase (quotes escaped). */
export const ftsMatchExpression = (terms: string[]) => terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
