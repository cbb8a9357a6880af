// localsfn.mjs runs state machine definitions through aws-local-stepfunctions so that
// internal/asl can be checked against an independent implementation of the States
// Language (see asltest.DiffCheck).
//
// Usage: node localsfn.mjs <path-to-aws-local-stepfunctions-entry> < request.json
//
// The request is {"definition": {...}, "context": {...}, "cases": [{"name", "input", "tasks"}]}
// where "tasks" maps a Task state name to the answers it gives, in call order:
// {"output": <json>} or {"error": "Name", "cause": "text"}, optionally with "input": <json>
// to answer only a call whose effective input equals it. Every Wait state and every
// Retry pause is overridden to take no time. The reply, on stdout, is a JSON array with
// one {"name", "status", "output", "error", "cause", "path"} per case, where "path"
// lists the top-level states entered, in order.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node localsfn.mjs <aws-local-stepfunctions entry> < request.json\n');
  process.exit(2);
}
const { StateMachine, ExecutionError } = await import(pathToFileURL(entry).href);

const request = JSON.parse(readFileSync(0, 'utf8'));
const definition = request.definition;

// Definition-substitution placeholders such as "${IncidentFn}" are not ARNs, which the
// library's validator rejects; every Task is answered by a local handler anyway, so they
// are replaced by a stand-in Lambda ARN.
const placeholder = /^\$\{[A-Za-z0-9_]+\}$/;
for (const [, state] of allStates(definition)) {
  if (state.Type === 'Task' && typeof state.Resource === 'string' && placeholder.test(state.Resource)) {
    state.Resource = 'arn:aws:lambda:us-east-1:123456789012:function:Placeholder';
  }
}

// Walk every (nested) state list of a definition.
function* allStates(machine) {
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    yield [name, state];
    for (const branch of state.Branches ?? []) yield* allStates(branch);
    if (state.ItemProcessor) yield* allStates(state.ItemProcessor);
    if (state.Iterator) yield* allStates(state.Iterator);
  }
}

function deepEqual(a, b) {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

function namedError(name, cause) {
  const err = new Error(cause ?? '');
  err.name = name;
  return err;
}

const topLevel = new Set(Object.keys(definition.States ?? {}));
const waitOverrides = {};
const retryOverrides = {};
const taskNames = [];
for (const [name, state] of allStates(definition)) {
  if (state.Type === 'Wait') waitOverrides[name] = 0;
  if (state.Retry) retryOverrides[name] = 0;
  if (state.Type === 'Task') taskNames.push(name);
}

async function runCase(c) {
  const result = { name: c.name, status: '', output: null, error: '', cause: '', path: [] };
  let machine;
  try {
    machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  } catch (err) {
    result.status = 'INVALID';
    result.cause = String(err?.message ?? err);
    return result;
  }
  const used = new Map();
  const handlers = {};
  for (const name of taskNames) {
    handlers[name] = (input) => {
      const answers = c.tasks?.[name] ?? [];
      const marks = used.get(name) ?? [];
      used.set(name, marks);
      const i = answers.findIndex((a, j) => !marks[j] && (a.input === undefined || deepEqual(a.input, input)));
      if (i < 0) throw namedError('Mock.NoAnswer', `no answer left for Task state ${name} and input ${JSON.stringify(input)}`);
      marks[i] = true;
      const a = answers[i];
      if (a.error !== undefined) throw namedError(a.error, a.cause);
      return a.output === undefined ? null : a.output;
    };
  }
  const execution = machine.run(c.input === undefined ? {} : c.input, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      waitTimeOverrides: waitOverrides,
      retryIntervalOverrides: retryOverrides,
    },
    context: request.context ?? {},
  });
  const collect = (async () => {
    for await (const ev of execution.eventLogs) {
      if (ev.type === 'StateEntered' && ev.index === undefined && topLevel.has(ev.state?.name)) {
        result.path.push(ev.state.name);
      }
    }
  })();
  try {
    result.output = await execution.result;
    result.status = 'SUCCEEDED';
  } catch (err) {
    result.status = 'FAILED';
    const cause = err instanceof ExecutionError && err.cause ? err.cause : err;
    result.error = String(cause?.name ?? 'Error');
    result.cause = String(cause?.message ?? '');
  }
  await collect;
  return result;
}

const results = [];
for (const c of request.cases ?? []) {
  results.push(await runCase(c));
}
process.stdout.write(JSON.stringify(results));
