#!/bin/sh
# run-when.sh hard|not-hard <node arguments...>
# Starts a hook's Node process only in the mode its handler in hooks.json is registered for. The watch
# after every tool call must be waited for only where its answer can stop the main loop: under the
# hard dispatch policy (SPRINT_BUDGET_DISPATCH_POLICY, else "hard" in the project's
# .sprint-budget/config.json). Elsewhere the same watch runs as an async handler, off the session's
# critical path. A mention of "hard" anywhere in config.json counts: a wrong guess costs a wait, never
# a missed stop. Builtins only: a process start here would cost what this saves.
want=$1
shift
hard=no
case "${SPRINT_BUDGET_DISPATCH_POLICY-}" in
  hard) hard=yes ;;
  soft | off) hard=env ;;
esac
mentions_hard() {
  [ -f "$1" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in *'"hard"'*) return 0 ;; esac
  done <"$1"
  return 1
}
if [ "$hard" = no ]; then
  if [ -n "${SPRINT_BUDGET_DB-}" ] && mentions_hard "${SPRINT_BUDGET_DB%/*}/config.json"; then hard=yes; fi
  dir=${CLAUDE_PROJECT_DIR:-$PWD}
  while [ "$hard" = no ]; do
    if [ -d "$dir/.sprint-budget" ]; then
      mentions_hard "$dir/.sprint-budget/config.json" && hard=yes
      break
    fi
    case $dir in '' | /) break ;; esac
    dir=${dir%/*}
  done
fi
[ "$hard" = env ] && hard=no
if { [ "$want" = hard ] && [ "$hard" = yes ]; } || { [ "$want" = not-hard ] && [ "$hard" = no ]; }; then
  exec node "$@"
fi
# Not this handler's turn: read the payload Claude Code writes, say nothing.
while IFS= read -r _; do :; done
exit 0
