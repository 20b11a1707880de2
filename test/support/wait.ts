/**
 * Waiting for something to happen, instead of sleeping a fixed time: polls `condition` until it holds (a
 * loaded machine only makes it take longer), failing with `what` after a generous bound.
 */
export const eventually = async (
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> => {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
