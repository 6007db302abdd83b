import type { AnyStateMachine } from 'xstate';

/** One transition as the page draws it: an event (or "always"/"after <delay>") to its targets. */
export interface ChartTransition {
  event: string;
  targets: string[];
  guard?: string;
}

/** A state node of the machine, as plain JSON the page can render. */
export interface ChartNode {
  id: string; // "call.active.workflow.postcode"
  key: string;
  type: string; // atomic | compound | parallel | final | history
  initial?: string;
  transitions: ChartTransition[];
  children: ChartNode[];
}

type Node = AnyStateMachine['root'];
type Transition = {
  eventType: string;
  target?: readonly { id: string }[] | undefined;
  guard?: unknown;
};

/** "xstate.after.bookingDeadline.call.active..." reads as "after bookingDeadline". */
function eventLabel(eventType: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  if (eventType.startsWith('xstate.done.actor.')) return `done ${eventType.slice(18)}`;
  if (eventType.startsWith('xstate.error.actor.')) return `error ${eventType.slice(19)}`;
  return eventType;
}

function guardName(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard;
  if (guard && typeof guard === 'object' && 'type' in guard) return String((guard as { type: unknown }).type);
  if (typeof guard === 'function') return 'guard';
  return undefined;
}

function describeTransitions(node: Node): ChartTransition[] {
  const out: ChartTransition[] = [];
  const add = (label: string, list: readonly Transition[]) => {
    for (const t of list) {
      const targets = (t.target ?? []).map((s) => s.id);
      const guard = guardName(t.guard);
      // Self-actions without a target (assign, raise) are not edges on the chart.
      if (targets.length) out.push({ event: label, targets, ...(guard ? { guard } : {}) });
    }
  };
  for (const [eventType, list] of node.transitions) add(eventLabel(eventType), list as Transition[]);
  if (node.always) add('always', node.always as Transition[]);
  return out;
}

/** Walks the machine's own state nodes (the offline stand-in for the Stately inspector's diagram). */
export function chartDefinition(machine: AnyStateMachine): ChartNode {
  const walk = (node: Node): ChartNode => {
    const initial = node.initial?.target?.[0]?.id;
    return {
      id: node.id,
      key: node.key,
      type: node.type,
      ...(initial ? { initial } : {}),
      transitions: describeTransitions(node),
      children: Object.values(node.states).map((child) => walk(child as Node)),
    };
  };
  return walk(machine.root);
}
