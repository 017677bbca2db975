import { MAX_ANNOTATION_LENGTH, toAnnotation } from '../../src/core/annotation';

describe('toAnnotation', () => {
  it('keeps a message that fits', () => {
    const message = 'Opted in: lex via p-123 on ou-ab12-cdef3456.';
    expect(toAnnotation(message)).toBe(message);
  });

  it('keeps a message of exactly the limit', () => {
    const message = 'x'.repeat(MAX_ANNOTATION_LENGTH);
    expect(toAnnotation(message)).toBe(message);
  });

  it('cuts a long message at a word boundary and ends it with an ellipsis', () => {
    const message = `Opted in: ${Array.from({ length: 40 }, (_, i) => `svc${i} via p-12345678`).join('; ')}.`;
    const annotation = toAnnotation(message);
    expect(annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
    expect(annotation.endsWith('…')).toBe(true);
    expect(message.startsWith(annotation.slice(0, -1))).toBe(true);
    expect(annotation).not.toMatch(/[;,\s]…$/);
    expect(annotation).toMatch(/p-12345678…$/);
  });

  it('cuts a long clause at its last whole word', () => {
    const annotation = toAnnotation(`Unknown: ${'word '.repeat(80)}`);
    expect(annotation).toBe(`Unknown: ${'word '.repeat(48)}word…`);
  });

  it('cuts a message without spaces hard', () => {
    const annotation = toAnnotation('y'.repeat(300));
    expect(annotation).toBe(`${'y'.repeat(MAX_ANNOTATION_LENGTH - 1)}…`);
  });

  it('never splits a surrogate pair', () => {
    const annotation = toAnnotation(`${'y'.repeat(254)}😀${'z'.repeat(10)}`);
    expect(annotation).toBe(`${'y'.repeat(254)}…`);
    expect(annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
  });
});
