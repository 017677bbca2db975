import {
  asFields,
  findDuplicateKey,
  formatJsonValue,
  formatKey,
  formatQuoted,
  joinPath,
  parseJsonText,
  TOP_LEVEL,
} from '../../src/core/jsonKeys';

describe('formatKey', () => {
  it.each([
    ['lex', 'lex'],
    ['aiops-2031_v2.x', 'aiops-2031_v2.x'],
    ['le x', '"le x"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\u202elex', '"\\u202elex"'],
  ])('prints %j as %s', (key, expected) => {
    expect(formatKey(key)).toBe(expected);
  });
});

describe('formatQuoted', () => {
  it.each([
    ['lex', '"lex"'],
    ['default\u200b', '"default\\u200b"'],
    ['\u001b[2J"', '"\\u001b[2J\\""'],
  ])('prints %j as %s', (text, expected) => {
    expect(formatQuoted(text)).toBe(expected);
  });
});

describe('joinPath', () => {
  it('names a top-level key alone and a nested one after its parent', () => {
    expect(joinPath(TOP_LEVEL, 'services')).toBe('services');
    expect(joinPath('services', 'le x')).toBe('services."le x"');
  });
});

describe('findDuplicateKey', () => {
  it.each([
    ['a document without repeats', '{"a":{"b":1,"c":[{"b":2},{"b":3}]},"b":[]}', undefined],
    [
      'a repeated top-level key',
      '{"policies":[],"accounts":[],"policies":[]}',
      { path: '(top level)', key: 'policies' },
    ],
    ['a key repeated in an object of a list', '{"accounts":[{"id":"1","id":"2"}]}', { path: 'accounts', key: 'id' }],
    ['keys that only look alike', '{"id":1,"ID":2,"i\\u0064 ":3}', undefined],
  ])('finds %s', (_name, json, expected) => {
    expect(findDuplicateKey(json)).toEqual(expected);
  });
});

describe('parseJsonText', () => {
  it.each([
    ['a JSON text', '{"a":[1,{"b":null}]}', { ok: true, value: { a: [1, { b: null }] } }],
    ['text that is not JSON', '{"a":', { ok: false, error: { kind: 'invalidJson', detail: expect.any(String) } }],
    ['a repeated key', '{"a":{"b":1,"b":2}}', { ok: false, error: { kind: 'duplicateKey', path: 'a', key: 'b' } }],
  ])('reads %s', (_name, text, expected) => {
    expect(parseJsonText(text)).toEqual(expected);
  });
});

describe('asFields', () => {
  it.each([
    [{ a: 1 }, { a: 1 }],
    [[1], undefined],
    [null, undefined],
    ['a', undefined],
  ])('reads %j as %j', (value, expected) => {
    expect(asFields(value)).toEqual(expected);
  });
});

describe('formatJsonValue', () => {
  it('writes a value as JSON and cuts it to 40 characters', () => {
    expect(formatJsonValue('optout')).toBe('"optout"');
    expect(formatJsonValue('x'.repeat(50))).toBe(`"${'x'.repeat(36)}...`);
  });
});
