import { parseOrganizationPath } from '../../src/core/organizationPath';

describe('parseOrganizationPath', () => {
  it('splits the path of an account five OUs deep into organization, ancestors and account', () => {
    expect(
      parseOrganizationPath(
        'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/ou-ab12-33333333/ou-ab12-44444444/ou-ab12-55555555/123456789012/',
      ),
    ).toEqual({
      organizationId: 'o-a1b2c3d4e5',
      ancestorIds: [
        'r-ab12',
        'ou-ab12-11111111',
        'ou-ab12-22222222',
        'ou-ab12-33333333',
        'ou-ab12-44444444',
        'ou-ab12-55555555',
      ],
      id: '123456789012',
    });
  });

  it('reads the path of an account directly under the root', () => {
    expect(parseOrganizationPath('o-a1b2c3d4e5/r-ab12/123456789012/')).toEqual({
      organizationId: 'o-a1b2c3d4e5',
      ancestorIds: ['r-ab12'],
      id: '123456789012',
    });
  });

  it.each([
    ['no trailing slash', 'o-a1b2c3d4e5/r-ab12/123456789012'],
    ['no account', 'o-a1b2c3d4e5/r-ab12/'],
    ['only the organization', 'o-a1b2c3d4e5/'],
    ['nothing', ''],
    ['an empty segment', 'o-a1b2c3d4e5/r-ab12//123456789012/'],
    ['a segment with a space', 'o-a1b2c3d4e5/r-ab12/ou-ab12-1111 1111/123456789012/'],
    ['no organization first', 'r-ab12/ou-ab12-11111111/123456789012/'],
    ['no root second', 'o-a1b2c3d4e5/ou-ab12-11111111/123456789012/'],
    ['something other than an OU between root and account', 'o-a1b2c3d4e5/r-ab12/111111111111/123456789012/'],
  ])('returns undefined for a path with %s', (_name, path) => {
    expect(parseOrganizationPath(path)).toBeUndefined();
  });
});
