/**
 * `fn` remembering its answer for each text it was asked about, at most `max` of them (past that
 * it starts over). A catalog repeats the same few values — version ranges, `${…}` references —
 * across thousands of manifests, so each is worked out once.
 */
export function rememberByText<T extends boolean | object>(
  fn: (text: string) => T,
  max: number,
): (text: string) => T {
  const answers = new Map<string, T>();
  return (text) => {
    let answer = answers.get(text);
    if (answer === undefined) {
      if (answers.size >= max) answers.clear();
      answer = fn(text);
      answers.set(text, answer);
    }
    return answer;
  };
}
