/** Polls `cond` every 20 ms until it holds; throws `timed out: <what>` after `ms`. */
export const until = async (
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
