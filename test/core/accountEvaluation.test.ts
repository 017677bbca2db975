import { toAccountEvaluation, toAccountEvaluations, toStaleEvaluations } from '../../src/core/accountEvaluation';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import { DEFAULT_RULE_PARAMETERS } from '../../src/core/ruleParameters';
import { SEED_004_EXAMPLE_1 } from '../support/policies';
import { MANAGEMENT_ID, ROOT_ID, snapshotOf } from '../support/snapshotBuilder';

const PROD = '222222222222';
const COMPLIANT =
  'Opted out of all AI services by p-rootlocked on r-exam, locked under services, default, opt_out_policy.';
const report = evaluatePosture(
  snapshotOf({
    accounts: [{ id: PROD, parentId: ROOT_ID, state: 'SUSPENDED' }],
    policies: [{ id: 'p-rootlocked', content: SEED_004_EXAMPLE_1, targets: [ROOT_ID] }],
  }),
  DEFAULT_RULE_PARAMETERS,
);

describe('toAccountEvaluations', () => {
  it('gives one evaluation per account with its verdict and annotation', () => {
    expect(toAccountEvaluations(report)).toEqual([
      { accountId: MANAGEMENT_ID, complianceType: 'COMPLIANT', annotation: COMPLIANT },
      {
        accountId: PROD,
        complianceType: 'NOT_APPLICABLE',
        annotation: 'Account is SUSPENDED, so it is not evaluated.',
      },
    ]);
  });
});

describe('toAccountEvaluation', () => {
  it("gives the account's own evaluation", () => {
    expect(toAccountEvaluation(report, MANAGEMENT_ID)).toEqual({
      accountId: MANAGEMENT_ID,
      complianceType: 'COMPLIANT',
      annotation: COMPLIANT,
    });
  });

  it('gives nothing for an account that is not in the organization', () => {
    expect(toAccountEvaluation(report, '999999999999')).toBeUndefined();
  });
});

describe('toStaleEvaluations', () => {
  it('puts NOT_APPLICABLE once for each account with an earlier result that is gone', () => {
    expect(toStaleEvaluations(report, [MANAGEMENT_ID, '444444444444', PROD, '444444444444', '555555555555'])).toEqual([
      {
        accountId: '444444444444',
        complianceType: 'NOT_APPLICABLE',
        annotation: 'Account 444444444444 is no longer in organization o-exampleorgid.',
      },
      {
        accountId: '555555555555',
        complianceType: 'NOT_APPLICABLE',
        annotation: 'Account 555555555555 is no longer in organization o-exampleorgid.',
      },
    ]);
  });

  it('puts nothing when every earlier result is for a current account', () => {
    expect(toStaleEvaluations(report, [MANAGEMENT_ID, PROD])).toEqual([]);
  });
});
