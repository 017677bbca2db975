import { readPages } from '../../src/aws/readPages';
import { ListingReadError, UnreadableResponseError } from '../../src/errors';
import { unreadableBodyError } from '../support/sdkErrors';

interface Item {
  readonly Id?: string;
}

interface Page {
  readonly Items?: readonly Item[];
  readonly NextToken?: string;
}

/** A listing of `Items` pages answered by `answer`, recording the NextToken of every request. */
function listing(answer: (nextToken: string | undefined) => Page | Promise<Page>) {
  const requests: (string | undefined)[] = [];
  return {
    requests,
    listing: {
      action: 'test:ListItems',
      listName: 'Items',
      requestPage: async (nextToken: string | undefined) => {
        requests.push(nextToken);
        return answer(nextToken);
      },
      itemsOf: (page: Page) => page.Items,
      keyOf: (item: Item) => item.Id,
    },
  };
}

/** Answers by the NextToken of the request: `undefined` for the first page. */
function byToken(pages: Readonly<Record<string, Page>>) {
  return (nextToken: string | undefined): Page => {
    const page = pages[nextToken ?? 'first'];
    if (page === undefined) throw new Error(`no page for NextToken ${nextToken}`);
    return page;
  };
}

describe('readPages', () => {
  it('returns the items of every page in order, past empty pages that carry a NextToken', async () => {
    const { listing: list, requests } = listing(
      byToken({
        first: { Items: [], NextToken: 't1' },
        t1: { Items: [{ Id: 'a' }, { Id: 'b' }], NextToken: 't2' },
        t2: { Items: [], NextToken: 't3' },
        t3: { Items: [{ Id: 'c' }] },
      }),
    );
    const pages: (readonly Item[])[] = [];

    await expect(readPages({ ...list, onItems: (items) => pages.push(items) })).resolves.toStrictEqual([
      { Id: 'a' },
      { Id: 'b' },
      { Id: 'c' },
    ]);
    expect(requests).toStrictEqual([undefined, 't1', 't2', 't3']);
    expect(pages).toStrictEqual([[], [{ Id: 'a' }, { Id: 'b' }], [], [{ Id: 'c' }]]);
  });

  it.each([
    ['null', null],
    ['an empty string', ''],
  ])('ends the listing at a NextToken that is %s', async (_, token) => {
    // What a JSON parser may hand over at runtime, whatever the SDK's types say.
    const last: Page = JSON.parse(JSON.stringify({ Items: [{ Id: 'a' }], NextToken: token }));
    const { listing: list, requests } = listing(() => last);

    await expect(readPages(list)).resolves.toStrictEqual([{ Id: 'a' }]);
    expect(requests).toHaveLength(1);
  });

  it('lets items without an id through, however many there are', async () => {
    const { listing: list } = listing(() => ({ Items: [{}, {}] }));

    await expect(readPages(list)).resolves.toStrictEqual([{}, {}]);
  });

  it('reads without checking ids when the listing has no keyOf', async () => {
    const { listing: list } = listing(() => ({ Items: [{ Id: 'a' }, { Id: 'a' }] }));
    const { keyOf: _keyOf, ...withoutKeys } = list;

    await expect(readPages(withoutKeys)).resolves.toHaveLength(2);
  });

  describe('a listing that cannot be complete', () => {
    it.each([
      [
        'a NextToken that an earlier page returned (A, B, A)',
        byToken({
          first: { Items: [], NextToken: 'A' },
          A: { Items: [], NextToken: 'B' },
          B: { Items: [], NextToken: 'A' },
        }),
        'page 3 returned the NextToken that page 1 returned (the paging loops)',
        3,
      ],
      [
        'the NextToken it was asked for',
        byToken({ first: { Items: [], NextToken: 'A' }, A: { Items: [], NextToken: 'A' } }),
        'page 2 returned the NextToken that page 1 returned (the paging loops)',
        2,
      ],
      [
        'an id that an earlier page listed',
        byToken({ first: { Items: [{ Id: 'a' }], NextToken: 'A' }, A: { Items: [{ Id: 'b' }, { Id: 'a' }] } }),
        'page 2 lists a again (first on page 1)',
        2,
      ],
      [
        'an id twice in one page',
        () => ({ Items: [{ Id: 'a' }, { Id: 'a' }] }),
        'page 1 lists a again (first on page 1)',
        1,
      ],
      [
        'no list',
        byToken({ first: { Items: [], NextToken: 'A' }, A: { NextToken: 'B' } }),
        'page 2 has no Items list',
        2,
      ],
      [
        'an entry that is not an object',
        () => JSON.parse('{"Items":[{"Id":"a"},null]}'),
        'page 1 lists an entry that is not an object',
        1,
      ],
      ['a list that is not a list', () => JSON.parse('{"Items":"a"}'), 'page 1 has no Items list', 1],
      [
        'a NextToken that is not a string',
        () => JSON.parse('{"Items":[],"NextToken":5}'),
        'page 1 has a NextToken that is not a string',
        1,
      ],
    ] as const)(
      'throws ListingReadError, after the page at fault and no later, at %s',
      async (_, answer, detail, pages) => {
        const { listing: list, requests } = listing(answer);

        const read = readPages(list);

        await expect(read).rejects.toThrow(ListingReadError);
        await expect(read).rejects.toMatchObject({ action: 'test:ListItems', detail });
        await expect(read).rejects.toThrow(
          `test:ListItems returned a listing that cannot be trusted: ${detail}, so the read failed`,
        );
        expect(requests).toHaveLength(pages);
      },
    );
  });

  describe('answers that could not be read', () => {
    it('asks for a page once more when its answer could not be parsed, and goes on', async () => {
      let calls = 0;
      const { listing: list, requests } = listing((nextToken) => {
        calls += 1;
        if (calls === 2) throw unreadableBodyError();
        return nextToken === undefined ? { Items: [{ Id: 'a' }], NextToken: 'A' } : { Items: [{ Id: 'b' }] };
      });

      await expect(readPages(list)).resolves.toStrictEqual([{ Id: 'a' }, { Id: 'b' }]);
      expect(requests).toStrictEqual([undefined, 'A', 'A']);
    });

    it('throws UnreadableResponseError naming the action when the page could not be parsed twice', async () => {
      const { listing: list, requests } = listing(() => {
        throw unreadableBodyError();
      });

      await expect(readPages(list)).rejects.toThrow(UnreadableResponseError);
      expect(requests).toHaveLength(2);
    });
  });
});
