import { ListingReadError } from '../errors';
import { readResponse } from './readResponse';

/** One paged AWS List call, as `readPages` reads it. */
export interface Listing<Page extends { readonly NextToken?: string | undefined }, Item> {
  /** The IAM action of the call, such as `organizations:ListAccounts`. */
  readonly action: string;
  /** The name of the list in each page, such as `Accounts`. */
  readonly listName: string;
  /** Sends the request for the page after `nextToken` (undefined: the first page). */
  readonly requestPage: (nextToken: string | undefined) => Promise<Page>;
  /** The list of a page. */
  readonly itemsOf: (page: Page) => readonly Item[] | undefined;
  /** The id of an item; an id that an earlier item of the listing had is a read error. Items without one pass. */
  readonly keyOf?: (item: Item) => string | undefined;
  /** Called with the items of each page, as it arrives. */
  readonly onItems?: (items: readonly Item[]) => void;
}

/**
 * Reads a List call page by page, each through `readResponse`, until NextToken is absent (AWS may send empty pages
 * that still carry one), and returns every item in order. Throws ListingReadError when the listing cannot be
 * complete: a page without its list, with an entry that is not an object or a NextToken that is not a string, a
 * NextToken that an earlier page of the listing returned (the paging loops), or an item whose id came before.
 */
export async function readPages<Page extends { readonly NextToken?: string | undefined }, Item>(
  listing: Listing<Page, Item>,
): Promise<Item[]> {
  const { action, listName, requestPage, itemsOf, keyOf, onItems } = listing;
  const items: Item[] = [];
  const pageOfToken = new Map<string, number>();
  const pageOfKey = new Map<string, number>();
  let nextToken: string | undefined;
  for (let page = 1; ; page += 1) {
    const sentToken = nextToken;
    const answer = await readResponse(action, () => requestPage(sentToken));
    const pageItems = itemsOf(answer);
    // AWS sends the list in every page, empty or not: a page without it is not an answer to trust as "none".
    if (!Array.isArray(pageItems)) throw new ListingReadError(action, `page ${page} has no ${listName} list`);
    for (const item of pageItems) {
      if (typeof item !== 'object' || item === null) {
        throw new ListingReadError(action, `page ${page} lists an entry that is not an object`);
      }
      const key = keyOf?.(item);
      if (key === undefined) continue;
      const first = pageOfKey.get(key);
      if (first !== undefined)
        throw new ListingReadError(action, `page ${page} lists ${key} again (first on page ${first})`);
      pageOfKey.set(key, page);
    }
    items.push(...pageItems);
    onItems?.(pageItems);
    // Read as unknown: the SDK does not check the type of what it parsed.
    const token: unknown = answer.NextToken;
    if (token === undefined || token === null || token === '') return items;
    if (typeof token !== 'string')
      throw new ListingReadError(action, `page ${page} has a NextToken that is not a string`);
    nextToken = token;
    const earlier = pageOfToken.get(nextToken);
    if (earlier !== undefined) {
      throw new ListingReadError(
        action,
        `page ${page} returned the NextToken that page ${earlier} returned (the paging loops)`,
      );
    }
    pageOfToken.set(nextToken, page);
  }
}
