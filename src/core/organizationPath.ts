/** Where an account or OU sits, as AWS writes it in `Account.Paths` and `OrganizationalUnit.Path`. */
export interface OrganizationPath {
  readonly organizationId: string;
  /** The root's id, then each OU's down to the parent of `id`. */
  readonly ancestorIds: readonly [string, ...string[]];
  /** The account or OU the path leads to. */
  readonly id: string;
}

const SEGMENT = /^[0-9a-zA-Z_-]+$/;

/**
 * Splits a path `o-…/r-…/ou-…/…/<id>/` (AWS's form, added to Organizations responses on 2026-03-31) into the
 * organization, the ancestors and the id it leads to. Returns undefined for anything else, so that the caller can
 * read the parents another way; the ids themselves are checked where they are used (parseOrgSnapshot).
 */
export function parseOrganizationPath(path: string): OrganizationPath | undefined {
  if (!path.endsWith('/')) return undefined;
  const segments = path.slice(0, -1).split('/');
  const [organizationId, rootId, ...rest] = segments;
  const id = rest.pop();
  if (organizationId === undefined || rootId === undefined || id === undefined) return undefined;
  if (!segments.every((segment) => SEGMENT.test(segment))) return undefined;
  if (!organizationId.startsWith('o-') || !rootId.startsWith('r-')) return undefined;
  if (!rest.every((segment) => segment.startsWith('ou-'))) return undefined;
  return { organizationId, ancestorIds: [rootId, ...rest], id };
}
