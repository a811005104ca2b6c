// The mini-program's one source of "now", replaceable in tests.
export const clock = {
  now: (): number => Date.now(),
};
