/** Runs `work` over `items` with at most `concurrency` at once; `shouldStop` is checked before each start. */
export const runPool = async <T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<number> => {
  let next = 0;
  let started = 0;
  const worker = async () => {
    while (next < items.length && !shouldStop()) {
      const item = items[next++]!;
      started++;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return started;
};
