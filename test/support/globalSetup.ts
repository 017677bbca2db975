import { missingCommand, REQUIRED_COMMANDS, type RequiredCommand } from './requiredCommand';

/**
 * Prints, once per jest run and where people see it, which suites are skipped for want of an external command
 * (jest does not show what a skipped test file logs).
 */
export default function globalSetup(): void {
  if (process.env.CI === 'true') return;
  for (const command of Object.keys(REQUIRED_COMMANDS) as RequiredCommand[]) {
    const missing = missingCommand(command);
    if (missing !== undefined)
      process.stderr.write(`\nNotice: the suites that need ${command} are skipped: ${missing}.\n`);
  }
}
