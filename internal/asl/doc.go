// Package asl interprets Amazon States Language definitions (the JSONPath query
// language) so that Firebreak's Step Functions runbooks run offline: in tests, in
// `make demo` and in `firebreak replay`. It is checked against the npm package
// aws-local-stepfunctions by TestDifferentialLocalStepFunctions (see package asltest).
//
// # What is supported
//
// Parse accepts the states Pass, Task, Choice, Wait, Succeed, Fail, Parallel and
// inline Map (ItemProcessor with Mode INLINE, or the older Iterator; ItemSelector or the
// older Parameters; ItemsPath; MaxConcurrency and MaxConcurrencyPath), with InputPath,
// Parameters, ResultSelector, ResultPath and OutputPath applied in the specification's
// order, Retry (IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds,
// JitterStrategy) and Catch, TimeoutSeconds, HeartbeatSeconds and their *Path forms,
// every Choice operator (including the *Path variants, And/Or/Not, the Is* tests and
// StringMatches), JSONPath as Step Functions takes it from Jayway (names, indexes
// including negative ones, wildcards, slices, unions, recursive descent, filters such as
// [?(@.n > 3)]), the context object ($$.Execution, $$.State, $$.StateMachine,
// $$.Task.Token, $$.Map.Item) and all JSONPath intrinsic functions from States.Format to
// States.UUID. Comment is allowed everywhere, TimeoutSeconds and Version at the top level.
// Unknown fields are errors, and errors name the state, the field and the reason.
//
// Task resources are not interpreted: every Task becomes a Call to the Options.Invoker
// with the Resource string as written (aws-sdk integrations, lambda:invoke, sns:publish,
// states:startExecution, plain Lambda ARNs and ${Placeholder} substitutions alike).
// Resources ending in ".waitForTaskToken" get a task token ($$.Task.Token) and wait
// for SendTaskSuccess or SendTaskFailure.
//
// # What is not
//
// QueryLanguage JSONata, workflow variables (Assign), distributed Map (ItemReader,
// ItemBatcher, ResultWriter, ToleratedFailure*, Label, Mode DISTRIBUTED) and regular
// expression filters (=~) are rejected by Parse with a clear error. Credentials is
// accepted and ignored. States.JsonMerge supports only the shallow mode, as Step
// Functions does.
//
// # Errors
//
// A path in a payload template, InputPath, OutputPath, ItemsPath, Choice Variable or
// any *Path field that selects nothing fails the execution with States.Runtime, as Step
// Functions does (the specification names States.ParameterPathFailure for templates);
// States.Runtime is never retried or caught, not even by States.ALL. An intrinsic
// function that fails is States.IntrinsicFailure and a ResultPath that cannot be applied
// is States.ResultPathMatchFailure; both can be retried and caught. In ErrorEquals,
// States.ALL matches every other error, States.TaskFailed every error but States.Timeout
// and States.HeartbeatTimeout, and States.Timeout also matches States.HeartbeatTimeout.
// A failing Parallel branch or Map iteration fails its state with the branch's own
// error, aborting the other branches. The error output given to a Catch is
// {"Error": ..., "Cause": ...}, without Cause when the error has none.
//
// # Determinism and the virtual clock
//
// Executions never sleep and never read the wall clock. Time is virtual: it starts at
// Options.StartTime, Wait states and Retry backoff move it forward instantly, and
// Execution.Advance moves it on behalf of a test, firing the TimeoutSeconds and
// HeartbeatSeconds of tasks waiting on a token (States.Timeout,
// States.HeartbeatTimeout) and the machine's own TimeoutSeconds. Synchronous Task calls
// take no virtual time, so their TimeoutSeconds never fires (an Invoker can return
// &Error{Name: "States.Timeout"} to act one out). Parallel branches and Map
// iterations run one at a time, depth first and in index order, each until it ends,
// sleeps or waits for a token, while the clock keeps their concurrent timing: two
// branches waiting 10 and 20 seconds finish at +10s and +20s. Output assembly and error
// propagation are those of concurrent runs. Randomness (States.UUID, States.MathRandom
// without a seed, FULL jitter) comes from Options.Rand, a fixed seed when nil. The same
// definition, input, options and Invoker answers therefore give the same history, path
// and output.
package asl
