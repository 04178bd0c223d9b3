// Type declarations for the two CommonJS SPDX packages ksad uses (they ship none). Node gives an
// ES module `module.exports` as its default export, which is what these declare.

declare module 'spdx-expression-parse' {
  export type Node =
    | { license: string; plus?: true; exception?: string }
    | { left: Node; conjunction: 'and' | 'or'; right: Node };
  /** Parses an SPDX license expression; throws on a syntax error or an unknown identifier. */
  export default function parse(source: string): Node;
}

declare module 'spdx-correct' {
  /** The valid SPDX expression a loose licence name most likely means, or null. */
  export default function correct(source: string, options?: { upgrade?: boolean }): string | null;
}
