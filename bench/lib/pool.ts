// Set-up work with a bounded number of requests open at once: local workerd resets connections
// when hundreds arrive together (README, known issues), and set-up must not fail for that.

/** Runs `work` over `items`, at most `inFlight` at a time; the results keep the items' order. */
export async function inPool<T, R>(items: T[], inFlight: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, lane));
  return results;
}
