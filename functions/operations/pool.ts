/** Runs `work` over `items` with at most `concurrency` at once; `shouldStop` is checked before each start. */
export const runPool = async <T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<number> => {
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.values();
  let started = 0;
  const worker = async () => {
    while (!shouldStop()) {
      const next = queue.next();
      if (next.done) return;
      started++;
      await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return started;
};
