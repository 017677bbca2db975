/** What the code under test wrote to stdout and stderr (Powertools Logger: INFO on stdout, ERROR on stderr). */
export interface CapturedOutput {
  /** Everything written during the current test. */
  text(): string;
  /** The JSON log lines written during the current test, in order, without the metrics. */
  logLines(): Record<string, unknown>[];
  /** The metrics Powertools Metrics wrote during the current test (EMF: a JSON line with `_aws`), in order. */
  metricLines(): Record<string, unknown>[];
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
  const jsonLines = (): Record<string, unknown>[] =>
    output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
  return {
    text: () => output.join(''),
    logLines: () => jsonLines().filter((line) => !('_aws' in line)),
    metricLines: () => jsonLines().filter((line) => '_aws' in line),
  };
}
