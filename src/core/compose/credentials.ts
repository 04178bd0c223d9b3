/** Names that say their value is a credential. */
export function looksSecret(name: string): boolean {
  if (/_FILE$/i.test(name)) return false;
  return name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .some((seg) => /PASSWORD|PASSWD|SECRET|TOKEN/.test(seg) || /KEY$/.test(seg));
}
