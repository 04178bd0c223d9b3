import correct from 'spdx-correct';
import parse from 'spdx-expression-parse';

/** What is wrong with a licence that is not a valid SPDX expression, and what to write instead. */
export type LicenseProblem =
  { severity: 'error'; message: string } | { severity: 'warning'; message: string };

type Node = ReturnType<typeof parse>;

type Leaf = Extract<Node, { license: string }>;

function leaves(node: Node): Leaf[] {
  return 'license' in node ? [node] : [...leaves(node.left), ...leaves(node.right)];
}

/**
 * The identifier to write for a deprecated one: the GNU licences' bare form means "only" and
 * `+` "or later" (SPDX licence list, deprecated identifiers); others as spdx-correct upgrades them.
 */
function replacement(leaf: Leaf): string | undefined {
  const id = leaf.license;
  if (id.startsWith('LicenseRef-') || id.startsWith('DocumentRef-')) return undefined;
  const upgraded = safeCorrect(id);
  if (upgraded === null || upgraded === id) return undefined;
  if (/^(?:A|L)?GPL-\d\.\d$|^GFDL-\d\.\d$/.test(id))
    return `${id}${leaf.plus === true ? '-or-later' : '-only'}`;
  return upgraded;
}

/**
 * Checks a licence against the SPDX licence list (spdx-expression-parse, which reads
 * spdx-license-ids and spdx-exceptions): `MIT`, `Apache-2.0 OR MIT`,
 * `GPL-2.0-or-later WITH Classpath-exception-2.0` and `LicenseRef-…` pass; anything else is an
 * error with the expression spdx-correct thinks was meant; a deprecated identifier (`GPL-3.0`)
 * is a warning naming its replacement. Returns undefined when the licence is fine.
 */
export function checkLicense(license: string): LicenseProblem | undefined {
  const text = license.trim();
  if (text === '')
    return {
      severity: 'error',
      message: 'is empty: write an SPDX licence expression such as "MIT"',
    };
  let tree: Node;
  try {
    tree = parse(text);
  } catch {
    const meant = safeCorrect(text);
    return {
      severity: 'error',
      message: `"${license}" is not an SPDX licence expression${meant === null ? ' (see https://spdx.org/licenses/)' : `: did you mean "${meant}"?`}`,
    };
  }
  const deprecated = leaves(tree).flatMap((leaf) => {
    const to = replacement(leaf);
    return to === undefined
      ? []
      : [{ from: `${leaf.license}${leaf.plus === true ? '+' : ''}`, to }];
  });
  if (deprecated.length > 0) {
    return {
      severity: 'warning',
      message: `${deprecated.map((d) => `"${d.from}"`).join(', ')} ${deprecated.length === 1 ? 'is a deprecated SPDX identifier' : 'are deprecated SPDX identifiers'}: write ${deprecated.map((d) => `"${d.to}"`).join(', ')}`,
    };
  }
  return undefined;
}

function safeCorrect(text: string): string | null {
  try {
    return correct(text);
  } catch {
    return null;
  }
}
