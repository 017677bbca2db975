/** What the code under test wrote to stdout and stderr (Powertools Logger: INFO on stdout, ERROR on stderr). */
export interface CapturedOutput {
  /** Everything written during the current test. */
  text(): string;
  /** The JSON log lines written during the current test, in order. */
  logLines(): Record<string, unknown>[];
}

/** Captures stdout and stderr during each test of the calling file instead of printing them; call it at module scope. */
export function captureOutput(): CapturedOutput {
  let output: string[] = [];
  beforeEach(() => {
    output = [];
    for (const stream of [process.stdout, process.stderr]) {
      jest.spyOn(stream, 'write').mockImplementation((chunk) => {
        output.push(String(chunk));
        return true;
      });
    }
  });
  afterEach(() => jest.restoreAllMocks());
  return {
    text: () => output.join(''),
    logLines: () =>
      output
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line)),
  };
}
