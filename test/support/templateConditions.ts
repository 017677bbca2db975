import type { Template } from '../../scripts/samTemplate.cjs';
import { isFields } from './eventPattern';

/** A deployment of a template: parameter values (the template's defaults for those left out) and its Region. */
export interface Deployment {
  readonly parameters: Readonly<Record<string, string>>;
  readonly region: string;
}

/** What a deployment decides: the value of each condition of the template. */
export type ConditionValues = Readonly<Record<string, boolean>>;

/** A stand-in for AWS::NoValue while a value is resolved, removed from the lists and objects that hold it. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Each condition of the template as CloudFormation decides it for a deployment. Knows Fn::Equals of parameters, the
 * Region and literals, Fn::Not, Fn::And, Fn::Or and Condition; throws on anything else, so that a condition this
 * cannot judge fails the tests instead of passing them.
 */
export function evaluateConditions(template: Template, deployment: Deployment): ConditionValues {
  const definitions = template.Conditions ?? {};
  const operand = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const name = isFields(value) ? value.Ref : undefined;
    if (name === 'AWS::Region') return deployment.region;
    if (typeof name === 'string' && template.Parameters?.[name] !== undefined) {
      return deployment.parameters[name] ?? String(template.Parameters[name].Default);
    }
    throw new Error(`Cannot compare ${JSON.stringify(value)}`);
  };
  const evaluate = (value: unknown): boolean => {
    if (!isFields(value)) throw new Error(`Not a condition: ${JSON.stringify(value)}`);
    const [[name, argument] = []] = Object.entries(value);
    const operands = Array.isArray(argument) ? argument : [];
    switch (name) {
      case 'Condition':
        return evaluate(definitions[String(argument)]);
      case 'Fn::Equals':
        return operand(operands[0]) === operand(operands[1]);
      case 'Fn::Not':
        return !evaluate(operands[0]);
      case 'Fn::And':
        return operands.every(evaluate);
      case 'Fn::Or':
        return operands.some(evaluate);
      default:
        throw new Error(`Unsupported condition function ${String(name)}`);
    }
  };
  return Object.fromEntries(Object.keys(definitions).map((name) => [name, evaluate({ Condition: name })]));
}

/** The logical ids of the resources a deployment creates, in template order. */
export function createdResources(template: Template, conditions: ConditionValues): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Condition === undefined || conditions[resource.Condition] === true)
    .map(([logicalId]) => logicalId);
}

/**
 * A template value with each Fn::If replaced by the branch its condition picks, and AWS::NoValue removed from the lists
 * and objects that hold it, as CloudFormation does. Other intrinsic functions stay as they are.
 */
export function resolveIfs(value: unknown, conditions: ConditionValues): unknown {
  const resolve = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(resolve).filter((element) => element !== NO_VALUE);
    if (!isFields(item)) return item;
    if (item.Ref === 'AWS::NoValue') return NO_VALUE;
    const branches = item['Fn::If'];
    if (Array.isArray(branches)) {
      const [name, whenTrue, whenFalse] = branches;
      const chosen = conditions[String(name)];
      if (chosen === undefined) throw new Error(`Fn::If names no condition ${String(name)}`);
      return resolve(chosen ? whenTrue : whenFalse);
    }
    return Object.fromEntries(
      Object.entries(item)
        .map(([key, field]) => [key, resolve(field)] as const)
        .filter(([, field]) => field !== NO_VALUE),
    );
  };
  const resolved = resolve(value);
  return resolved === NO_VALUE ? undefined : resolved;
}
