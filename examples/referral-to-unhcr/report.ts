/** How a run is printed: one line per step that did something, then the counts. Ids and codes only. */
import type { Step, StepReport } from './job.js';

const QUIET: ReadonlySet<Step> = new Set(['final']);

export function formatStep(report: StepReport): string | undefined {
  if (QUIET.has(report.step)) return undefined;
  const referral = report.referralId ? ` referral ${report.referralId}` : '';
  return `  case ${report.caseRef} service ${report.serviceId}:${referral} ${report.step}${report.detail ? ` (${report.detail})` : ''}`;
}

export function formatCounts(reports: readonly StepReport[]): string {
  const counts = new Map<Step, number>();
  for (const { step } of reports) counts.set(step, (counts.get(step) ?? 0) + 1);
  const order: Step[] = ['referred', 'sent', 'accepted', 'completed', 'rejected', 'waiting', 'final', 'not_referred', 'failed'];
  const line = `  = ${order.map((step) => `${step} ${counts.get(step) ?? 0}`).join(', ')}`;
  return changedAnything(reports) ? line : `${line}: nothing to send or write`;
}

/** True when the run changed something in Primero or at the gateway. */
export function changedAnything(reports: readonly StepReport[]): boolean {
  return reports.some(({ step }) => step === 'referred' || step === 'sent' || step === 'accepted' || step === 'completed' || step === 'rejected');
}
