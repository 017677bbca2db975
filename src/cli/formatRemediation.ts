import type { DoneStep, RemediationResult } from '../aws/remediateOrganization';
import { formatRemediationStep } from '../core/planRemediation';
import { toVisible } from './toVisible';

const OUTCOME_WORDS: Readonly<Record<DoneStep['outcome'], string>> = {
  enabled: 'enabled',
  alreadyEnabled: 'already enabled by someone else',
  ready: 'ENABLED',
  created: 'created',
  alreadyExisted: 'already created by someone else',
  updated: 'updated',
  attached: 'attached',
  alreadyAttached: 'already attached by someone else',
};

function doneLine(step: DoneStep): string {
  const id = 'policyId' in step ? ` (${step.policyId})` : '';
  return `${step.kind}${id}: ${OUTCOME_WORDS[step.outcome]}`;
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : [title, ...lines.map((line, i) => `  ${i + 1}. ${line}`)];
}

/**
 * A remediation result for people: the plan, what was done, what remains, what needs a person, and the summary;
 * invisible characters of names from AWS or the command line show as escapes.
 */
export function formatRemediation(result: RemediationResult): string {
  return [
    `Organization ${result.organizationId}  policy ${JSON.stringify(result.policyName)}${result.dryRun ? '  (dry run: nothing was changed)' : ''}`,
    ...section(result.dryRun ? 'Would do:' : 'Planned:', result.plan.map(formatRemediationStep)),
    ...section('Done:', result.done.map(doneLine)),
    ...(result.dryRun ? [] : section('Still to do:', result.remaining.map(formatRemediationStep))),
    ...section(
      'Needs a person (the remediation never detaches, deletes or edits other policies):',
      result.needsPerson.map((item) => item.message),
    ),
    result.summary,
  ]
    .map(toVisible)
    .join('\n');
}
