import { checkLicense, type LicenseProblem } from '../spdx.js';
import type { ManifestUnit, Reporter } from './context.js';

/** A catalog has few distinct licences and many manifests: each expression is parsed once. */
const checked = new Map<string, LicenseProblem | undefined>();

/** `license-spdx`: the licence must be an SPDX expression (publiccode.yml's legal.license too). */
export function lintLicense(unit: ManifestUnit, r: Reporter): void {
  const license = unit.manifest.license;
  if (!checked.has(license)) {
    if (checked.size > 1000) checked.clear();
    checked.set(license, checkLicense(license));
  }
  const problem = checked.get(license);
  if (problem !== undefined)
    r.report(unit.file, ['license'], problem.severity, 'license-spdx', problem.message);
}
