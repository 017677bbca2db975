import type { Template } from '../../scripts/samTemplate.cjs';
import { createdResources, evaluateConditions, resolveIfs } from './templateConditions';

const TEMPLATE: Template = {
  Parameters: { Mode: { Type: 'String', Default: 'auto' }, Email: { Type: 'String', Default: '' } },
  Conditions: {
    IsAuto: { 'Fn::Equals': [{ Ref: 'Mode' }, 'auto'] },
    InHome: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
    HasEmail: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Email' }, ''] }] },
    Listens: {
      'Fn::Or': [
        { 'Fn::Equals': [{ Ref: 'Mode' }, 'on'] },
        { 'Fn::And': [{ Condition: 'IsAuto' }, { Condition: 'InHome' }] },
      ],
    },
  },
  Resources: {
    Always: { Type: 'AWS::SNS::Topic' },
    Listener: { Type: 'AWS::Events::Rule', Condition: 'Listens' },
    Subscription: { Type: 'AWS::SNS::Subscription', Condition: 'HasEmail' },
  },
};

describe('evaluateConditions', () => {
  it.each([
    [{}, 'us-east-1', { IsAuto: true, InHome: true, HasEmail: false, Listens: true }],
    [{}, 'eu-west-1', { IsAuto: true, InHome: false, HasEmail: false, Listens: false }],
    [
      { Mode: 'on', Email: 'a@example.com' },
      'eu-west-1',
      { IsAuto: false, InHome: false, HasEmail: true, Listens: true },
    ],
    [{ Mode: 'off' }, 'us-east-1', { IsAuto: false, InHome: true, HasEmail: false, Listens: false }],
  ])('decides %j in %s as CloudFormation does, defaults filling the rest', (parameters, region, expected) => {
    expect(evaluateConditions(TEMPLATE, { parameters, region })).toEqual(expected);
  });

  it('refuses a condition function it does not know, and a Ref to no parameter', () => {
    const deployment = { parameters: {}, region: 'us-east-1' };
    expect(() => evaluateConditions({ ...TEMPLATE, Conditions: { X: { 'Fn::Contains': [] } } }, deployment)).toThrow(
      'Unsupported condition function Fn::Contains',
    );
    expect(() =>
      evaluateConditions({ ...TEMPLATE, Conditions: { X: { 'Fn::Equals': [{ Ref: 'Nope' }, ''] } } }, deployment),
    ).toThrow('Cannot compare {"Ref":"Nope"}');
  });
});

describe('createdResources', () => {
  it('lists the resources without a condition and those whose condition holds, in template order', () => {
    const conditions = evaluateConditions(TEMPLATE, { parameters: { Mode: 'on' }, region: 'eu-west-1' });
    expect(createdResources(TEMPLATE, conditions)).toEqual(['Always', 'Listener']);
  });
});

describe('resolveIfs', () => {
  const conditions = { Yes: true, No: false };

  it('takes the branch of each Fn::If and drops AWS::NoValue from lists and objects', () => {
    const value = {
      Kept: { 'Fn::If': ['Yes', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] },
      Dropped: { 'Fn::If': ['No', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] },
      List: [1, { 'Fn::If': ['No', 2, { Ref: 'AWS::NoValue' }] }, { 'Fn::If': ['No', 3, { 'Fn::If': ['Yes', 4, 5] }] }],
      Other: { 'Fn::GetAtt': ['X', 'Arn'] },
    };
    expect(resolveIfs(value, conditions)).toEqual({
      Kept: { Ref: 'A' },
      List: [1, 4],
      Other: { 'Fn::GetAtt': ['X', 'Arn'] },
    });
    expect(resolveIfs({ Ref: 'AWS::NoValue' }, conditions)).toBeUndefined();
  });

  it('refuses an Fn::If on a condition the template does not have', () => {
    expect(() => resolveIfs({ 'Fn::If': ['Maybe', 1, 2] }, conditions)).toThrow('Fn::If names no condition Maybe');
  });
});
