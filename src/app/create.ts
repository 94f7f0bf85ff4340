/** Creating a sprint: classify, pick the default budget, store, and attach the calling session. */
import { DEFAULT_WARN_PCT, defaultBudget } from '../domain/budget';
import { type Classification, type Complexity, classify } from '../domain/complexity';
import { type Controls, controlsToJson } from '../domain/controls';
import { DEFAULT_PHASES } from '../domain/phases';
import { TitleError, sprintTitle } from '../domain/text';
import type { Ledger } from '../ledger/db';
import { projectOf } from '../ledger/locate';
import { attachSession } from '../ledger/sessions';
import { type Sprint, getSprint, insertEvent, insertSprint } from '../ledger/sprints';
import { UsageError } from '../platform/errors';
import { configuredTierBudgets } from './calibrate';
import { checkedProjectConfig } from './config';
import { type Caller, callerActor, callerSession, inProject } from './project';
import { recordedSpend } from './spend';
import { type SprintState, sprintState } from './state';

export interface CreateInput {
  title: string;
  description?: string;
  complexity?: number;
  files?: number;
  /** undefined: the tier's default; null: no budget. */
  budget?: number | null;
  warnPct?: number;
  phases?: string[];
  autoAdvance?: boolean;
  gates?: Record<string, string[]>;
  /** The project's calibrated tier budgets (`calibrate --apply`), which replace the defaults. */
  tierBudgets?: Partial<Record<Complexity, number>>;
  /** The sprint's own spend-control settings (docs/spec.md, "Spend controls"); the rest come from config.json. */
  controls?: Partial<Controls>;
  project: string;
  session?: { id: string; transcriptPath?: string | null } | null;
  actor: string;
  now: number;
}

export interface Created {
  sprint: Sprint;
  classification: Classification;
}

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** `sb-` and 6 characters of Crockford base32: short enough to type, 2^30 apart. */
export function newSprintId(): string {
  // Loaded here: node:crypto costs every command that imports this module a few milliseconds.
  const bytes = process.getBuiltinModule('node:crypto').randomBytes(6);
  let id = 'sb-';
  for (const b of bytes) id += ID_ALPHABET[b & 31];
  return id;
}

/** The title as stored (one plain line, capped), or the reason it cannot be one. */
function titleOf(raw: string): string {
  try {
    return sprintTitle(raw);
  } catch (err) {
    if (err instanceof TitleError) throw new UsageError(err.message);
    throw err;
  }
}

export function createSprint(l: Ledger, input: CreateInput): Created {
  const title = titleOf(input.title);
  const classification = classify([title, input.description ?? ''].join(' ').trim(), {
    files: input.files,
    explicit: input.complexity,
  });
  const phases = input.phases ?? [...DEFAULT_PHASES];
  const gates = input.gates ?? {};
  for (const target of Object.keys(gates)) {
    if (!phases.includes(target)) throw new UsageError(`gate for "${target}", which is not a phase of ${phases.join(',')}`);
    // A gate guards entering a phase: the sprint starts in its first one, so such a gate could never hold.
    if (target === phases[0]) throw new UsageError(`gate for "${target}": the sprint starts in it, so nothing could be required before it (gate a later phase)`);
  }
  const configured = input.tierBudgets?.[classification.complexity];
  const budget = input.budget !== undefined ? input.budget : (configured ?? defaultBudget(classification.complexity));
  const budgetSource = input.budget !== undefined ? 'explicit' : configured !== undefined ? 'config' : 'default';

  return l.write(() => {
    let id = newSprintId();
    while (getSprint(l, id)) id = newSprintId();
    const sprint: Sprint = {
      id,
      title,
      project: input.project,
      phases,
      phase: phases[0] as string,
      complexity: classification.complexity,
      complexitySource: classification.rule === 'explicit' ? 'explicit' : 'classifier',
      tokenBudget: budget,
      warnPct: input.warnPct ?? DEFAULT_WARN_PCT,
      autoAdvance: input.autoAdvance ?? true,
      gates,
      controls: controlsToJson(input.controls ?? {}),
      status: 'active',
      createdAt: input.now,
      updatedAt: input.now,
    };
    insertSprint(l, sprint);
    insertEvent(l, id, {
      kind: 'create',
      toPhase: sprint.phase,
      at: input.now,
      actor: input.actor,
      detail: {
        complexity: sprint.complexity,
        rule: classification.rule,
        token_budget: budget,
        budget_source: budgetSource,
        ...(Object.keys(sprint.controls).length > 0 ? { controls: sprint.controls } : {}),
      },
    });
    if (input.session) {
      attachSession(l, {
        sessionId: input.session.id,
        sprintId: id,
        at: input.now,
        via: 'create',
        transcriptPath: input.session.transcriptPath ?? null,
      });
    }
    return { sprint, classification };
  });
}

/** What `create` is asked for; the project, session, actor and time come from the caller. */
export type SprintRequest = Omit<CreateInput, 'project' | 'session' | 'actor' | 'now'>;

export interface Started extends Created {
  state: SprintState;
  /** The Claude Code session attached to the new sprint, if the caller runs in one. */
  session: string | null;
}

/** `sprint-budget create`: a new sprint in the caller's project (its ledger made if needed), the caller's session attached. */
export function startSprint(caller: Caller, req: SprintRequest): Started {
  const session = callerSession(caller);
  return inProject(caller, { create: true }, (l) => {
    // A bad setting is said now (exit 2 naming its key), not found later by a hook.
    checkedProjectConfig(l.path, caller.env);
    const created = createSprint(l, {
      ...req,
      tierBudgets: configuredTierBudgets(l.path),
      project: projectOf(l.path),
      session: session ? { id: session } : null,
      actor: callerActor(caller),
      now: Date.now(),
    });
    return { ...created, session, state: sprintState(l, created.sprint, { ...recordedSpend(l, created.sprint), unread: [] }, caller.env) };
  });
}
