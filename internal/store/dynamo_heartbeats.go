package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/heartbeat"
)

// Item layout of heartbeats (docs/table.md, "Heartbeats"): the state as JSON in body,
// its version beside it, and the due index keys derived from Check on every write.
const (
	pfxHeartbeat = "HB#"
	skHeartbeat  = "H"
	dueHeartbeat = "DUE#HEARTBEAT"
)

func heartbeatKey(name string) map[string]types.AttributeValue {
	return itemKey(pfxHeartbeat+name, skHeartbeat)
}

func heartbeatItem(st heartbeat.State) (map[string]types.AttributeValue, error) {
	body, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode heartbeat %s: %w", st.Name, err)
	}
	it := heartbeatKey(st.Name)
	it[attrBody], it[attrVersion] = s(string(body)), n(int64(st.Version))
	if !st.Check.IsZero() {
		it["due_pk"], it["due_sk"] = s(dueHeartbeat), s(fmtTime(st.Check)+"#"+st.Name)
	}
	return it, nil
}

// PutHeartbeat stores st at st.Version (one conditional PutItem).
func (d *Dynamo) PutHeartbeat(ctx context.Context, st heartbeat.State) (bool, error) {
	if st.Name == "" {
		return false, fmt.Errorf("put heartbeat: name is required")
	}
	was := st.Version
	st.Version++
	it, err := heartbeatItem(st)
	if err != nil {
		return false, err
	}
	var ok bool
	if was == 0 {
		ok, err = d.putNew(ctx, it)
	} else {
		ok, err = d.putVersion(ctx, it, was)
	}
	if err != nil {
		return false, fmt.Errorf("put heartbeat %s: %w", st.Name, err)
	}
	return ok, nil
}

// Heartbeat reads a heartbeat's state (one GetItem).
func (d *Dynamo) Heartbeat(ctx context.Context, name string) (heartbeat.State, error) {
	it, err := d.getItem(ctx, heartbeatKey(name))
	if err != nil {
		return heartbeat.State{}, fmt.Errorf("heartbeat %s: %w", name, err)
	}
	return decodeBody[heartbeat.State](it, "heartbeat")
}

// HeartbeatsDue queries the "due" index's DUE#HEARTBEAT partition up to now.
func (d *Dynamo) HeartbeatsDue(ctx context.Context, now time.Time, limit int) ([]heartbeat.State, error) {
	return queryBodies[heartbeat.State](ctx, d, ixDue, "due_pk", "due_sk", dueHeartbeat, "", upper(now), limit, "heartbeats due")
}
