import type { LoadedMember, LoadedMou } from '../catalog-model.js';
import { officialRegion, provinceOf, regionByName, normaliseName } from '../regions.js';
import type { Reporter } from './context.js';

/**
 * `unknown-region` (a member's code is not in the official Kemendagri list), `region-name` (its
 * name, kind or province disagree with the official entry of its code), each with the official
 * value to write.
 */
export function lintMemberRegions(members: readonly LoadedMember[], r: Reporter): void {
  for (const { file, member } of members) {
    if (member.kind === 'provinsi') continue;
    const official = officialRegion(member.code);
    if (!official) {
      const byName = regionByName(member.name);
      const hint = byName
        ? `: the official code of ${byName.name} is "${byName.code}"`
        : provinceOf(member.code)
          ? `: no regency or city ${member.code.slice(0, 5)} in ${provinceOf(member.code)?.name ?? ''}`
          : `: province ${member.code.slice(0, 2)} does not exist`;
      r.error(
        file,
        ['code'],
        'unknown-region',
        `region code ${member.code} is not in the official Kemendagri list${hint}`,
      );
      continue;
    }
    if (member.code.length === 5 && normaliseName(member.name) !== normaliseName(official.name)) {
      r.error(
        file,
        ['name'],
        'region-name',
        `"${member.name}" is not the official name of ${member.code}: write "${official.name}"`,
      );
    }
    if (member.code.length === 5 && member.kind !== official.kind) {
      r.error(
        file,
        ['kind'],
        'region-name',
        `${member.code} ${official.name} is a ${official.kind}, not a ${member.kind}: write "kind: ${official.kind}"`,
      );
    }
    if (
      member.province !== undefined &&
      normaliseName(member.province) !== normaliseName(official.province.name)
    ) {
      r.error(
        file,
        ['province'],
        'region-name',
        `${member.code} is in ${official.province.name}, not "${member.province}": write "province: ${official.province.name}"`,
      );
    }
  }
}

/** `unknown-region` for MoU parties whose code is not in the official Kemendagri list. */
export function lintMouRegions(mous: readonly LoadedMou[], r: Reporter): void {
  for (const { file, mou } of mous) {
    const parties: Array<[string, Array<string | number>]> = [
      [mou.grantor, ['grantor']],
      ...mou.grantees.map((g, i): [string, Array<string | number>] => [g, ['grantees', i]]),
    ];
    for (const [code, path] of parties) {
      if (officialRegion(code)) continue;
      r.error(
        file,
        path,
        'unknown-region',
        `${code} is not a region code in the official Kemendagri list`,
      );
    }
  }
}
