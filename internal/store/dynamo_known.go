package store

import "sync"

// maxKnown bounds each set of facts a process keeps (known incidents, done actions).
const maxKnown = 4096

// knownSet is a bounded set of facts that never stop being true once seen: an incident
// exists (incidents are never deleted), an action is done (a done claim is never
// claimed again), a timeline entry is written (entries are never removed or changed). A retry (a stream record's, an escalator tick's) that finds them here
// skips the requests that would read them again; a fact evicted (at random, when full)
// is read again. Safe for concurrent use.
type knownSet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func (k *knownSet) has(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.m[key]
	return ok
}

func (k *knownSet) add(key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]struct{}{}
	}
	if _, ok := k.m[key]; !ok && len(k.m) >= maxKnown {
		for x := range k.m { // evict one, at random
			delete(k.m, x)
			break
		}
	}
	k.m[key] = struct{}{}
}
