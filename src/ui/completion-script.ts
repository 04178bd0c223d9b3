/** A command as completion offers it: its words as typed (`catalog add`) and its flags. */
export interface CompletionCommand {
  words: string;
  flags: readonly string[];
}

const shellWord = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * The completion script `ksad completion bash|zsh` prints: the commands and their flags are
 * written into it, so completing never starts ksad. zsh runs the bash function through its
 * bashcompinit.
 */
export function completionScript(
  bin: string,
  shell: 'bash' | 'zsh',
  commands: readonly CompletionCommand[],
): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9]/g, '_')}_complete`;
  const sorted = [...commands].sort((a, b) => a.words.localeCompare(b.words));
  const cases = sorted
    .map(
      (c) =>
        `    ${shellWord(c.words)}) echo ${shellWord([...c.flags, '--help', '-h'].join(' '))} ;;`,
    )
    .join('\n');
  const lines = [
    `# ${bin} completion for ${shell}: source <(${bin} completion ${shell})`,
    ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
    `${fn}_commands=${shellWord(sorted.map((c) => c.words).join('\n'))}`,
    `${fn}_flags() {`,
    '  case "$1" in',
    cases,
    "    *) echo '--help -h' ;;",
    '  esac',
    '}',
    `${fn}() {`,
    '  local cur=${COMP_WORDS[COMP_CWORD]} w c i cmd="" typed next',
    '  local -a words=()',
    '  for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do',
    '    [[ $w == -* ]] && break',
    '    words+=("$w")',
    '  done',
    '  typed="${words[*]}"',
    '  for ((i = ${#words[@]}; i > 0; i--)); do',
    `    if grep -qxF -- "\${words[*]:0:i}" <<<"$${fn}_commands"; then cmd="\${words[*]:0:i}"; break; fi`,
    '  done',
    '  if [[ $cur == -* ]]; then',
    `    COMPREPLY=($(compgen -W "$(${fn}_flags "$cmd")" -- "$cur"))`,
    '    return',
    '  fi',
    '  next=$(while IFS= read -r c; do',
    '    if [[ -z $typed ]]; then echo "${c%% *}"',
    '    elif [[ $c == "$typed "* ]]; then c=${c#"$typed "}; echo "${c%% *}"; fi',
    `  done <<<"$${fn}_commands" | sort -u)`,
    '  COMPREPLY=($(compgen -W "$next" -- "$cur"))',
    '}',
    `complete -o default -F ${fn} ${bin}`,
  ];
  return `${lines.join('\n')}\n`;
}
