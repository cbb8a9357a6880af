package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
)

// Problem item layout (docs/table.md, "Problems"):
//
//	FP#<fp-key>   R                  recurrence: recent occurrences, the open problem
//	PRB#<id>      META               the problem (list_pk PROBLEM#<status>)
//	PRB#<id>      I#<incident>       an incident the problem explains
//	PRB#<id>      T#<time>#<key>     problem timeline entry
const (
	pfxProblem     = "PRB#"
	skRecurrence   = "R"
	pfxLink        = "I#"
	listProblem    = "PROBLEM#"
	attrDoc        = "doc"
	attrProblemVer = "ver"
	attrLinked     = "linked_at"
	problemStatus  = "status"
)

func problemPK(id string) string { return pfxProblem + id }

// problemListSK sorts a status partition: active problems by opening time, resolved ones
// by resolution time, so "resolved since" and "opened since" are key conditions.
func problemListSK(p problem.Problem) string {
	if p.Status == problem.Resolved {
		return fmtTime(p.ResolvedAt) + "#" + p.ID
	}
	return fmtTime(p.OpenedAt) + "#" + p.ID
}

// Recur: see Problems.Recur.
func (d *Dynamo) Recur(ctx context.Context, fp string, apply func(*problem.Recurrence) bool) (problem.Recurrence, error) {
	key := itemKey(fingerPK(fp), skRecurrence)
	for range maxConflicts {
		res, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return problem.Recurrence{}, fmt.Errorf("read recurrence of %s: %w", fp, err)
		}
		r := problem.Recurrence{Fingerprint: fp}
		if doc := str(res.Item, attrDoc); doc != "" {
			if err := json.Unmarshal([]byte(doc), &r); err != nil {
				return problem.Recurrence{}, fmt.Errorf("read recurrence of %s: %w", fp, err)
			}
			r.Version = num(res.Item, attrProblemVer)
		}
		read := r.Version
		if !apply(&r) {
			return r, nil
		}
		r.Version = read + 1
		doc, err := json.Marshal(r)
		if err != nil {
			return problem.Recurrence{}, fmt.Errorf("encode recurrence of %s: %w", fp, err)
		}
		item := itemKey(fingerPK(fp), skRecurrence)
		item[attrDoc], item[attrProblemVer] = s(string(doc)), n(int64(r.Version))
		err = d.putVersioned(ctx, item, read)
		if err == errConflict {
			continue
		}
		if err != nil {
			return problem.Recurrence{}, fmt.Errorf("write recurrence of %s: %w", fp, err)
		}
		return r, nil
	}
	return problem.Recurrence{}, fmt.Errorf("write recurrence of %s: %d concurrent updates in a row", fp, maxConflicts)
}

// putVersioned writes item if the stored version is read (0: no item yet).
func (d *Dynamo) putVersioned(ctx context.Context, item map[string]types.AttributeValue, read int) error {
	in := &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item,
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey}}
	if read == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#pk)")
	} else {
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeNames = map[string]string{"#v": attrProblemVer}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": n(int64(read))}
	}
	_, err := d.db.PutItem(ctx, in)
	if isConditionFailed(err) {
		return errConflict
	}
	return err
}

func problemItem(p problem.Problem) (map[string]types.AttributeValue, error) {
	p.Incidents = nil // kept as link items
	doc, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode problem %s: %w", p.ID, err)
	}
	it := itemKey(problemPK(p.ID), skMeta)
	it[attrDoc], it[attrProblemVer] = s(string(doc)), n(int64(p.Version))
	it[problemStatus], it["team"] = s(string(p.Status)), s(p.Team)
	it["opened_at"] = s(fmtTime(p.OpenedAt))
	it["list_pk"], it["list_sk"] = s(listProblem+string(p.Status)), s(problemListSK(p))
	if !p.ResolvedAt.IsZero() {
		it["resolved_at"] = s(fmtTime(p.ResolvedAt))
	}
	if p.Team == "" {
		delete(it, "team")
	}
	return it, nil
}

func problemFrom(it map[string]types.AttributeValue) (problem.Problem, error) {
	var p problem.Problem
	if doc := str(it, attrDoc); doc != "" {
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			return problem.Problem{}, fmt.Errorf("decode problem %s: %w", str(it, Table.PartitionKey), err)
		}
	}
	if p.ID == "" { // an item written without its document: what its keys say
		p.ID, p.Status = strings.TrimPrefix(str(it, Table.PartitionKey), pfxProblem), problem.Status(str(it, problemStatus))
	}
	p.Version = num(it, attrProblemVer)
	if p.Actions == nil {
		p.Actions = []string{}
	}
	if p.Incidents == nil {
		p.Incidents = []string{}
	}
	return p, nil
}

// CreateProblem: see Problems.CreateProblem. The opening entry is written only by the
// writer that created the problem, so racing writers with different views of when it
// opened add nothing. (A crash between the two writes loses the opening entry; the
// problem, its links and their entries are whole.)
func (d *Dynamo) CreateProblem(ctx context.Context, p problem.Problem, opened problem.Entry) (problem.Problem, bool, error) {
	if p.ID == "" || p.Status == "" {
		return problem.Problem{}, false, fmt.Errorf("create problem: id and status are required")
	}
	p.Version, p.UpdatedAt = 1, d.now().UTC()
	item, err := problemItem(p)
	if err != nil {
		return problem.Problem{}, false, err
	}
	err = d.putVersioned(ctx, item, 0)
	created := err == nil
	if err != nil && err != errConflict {
		return problem.Problem{}, false, fmt.Errorf("create problem %s: %w", p.ID, err)
	}
	if created {
		if err := d.putProblemEntry(ctx, opened); err != nil {
			return problem.Problem{}, false, fmt.Errorf("create problem %s: %w", p.ID, err)
		}
	}
	got, err := d.problemMeta(ctx, p.ID)
	if err != nil {
		return problem.Problem{}, false, fmt.Errorf("create problem %s: %w", p.ID, err)
	}
	return got, created, nil
}

func (d *Dynamo) problemMeta(ctx context.Context, id string) (problem.Problem, error) {
	res, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: itemKey(problemPK(id), skMeta), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return problem.Problem{}, fmt.Errorf("read problem %s: %w", id, err)
	}
	if len(res.Item) == 0 {
		return problem.Problem{}, fmt.Errorf("problem %s: %w", id, problem.ErrNotFound)
	}
	return problemFrom(res.Item)
}

// GetProblem: see Problems.GetProblem. One read of the item, one query of its links.
func (d *Dynamo) GetProblem(ctx context.Context, id string) (problem.Problem, error) {
	p, err := d.problemMeta(ctx, id)
	if err != nil {
		return problem.Problem{}, err
	}
	err = d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :i)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(problemPK(id)), ":i": s(pfxLink)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) {
		p.Incidents = append(p.Incidents, str(it, Table.SortKey)[len(pfxLink):])
	})
	if err != nil {
		return problem.Problem{}, fmt.Errorf("incidents of problem %s: %w", id, err)
	}
	slices.Sort(p.Incidents)
	return p, nil
}

// ListProblems: see Problems.ListProblems. One query of the list index per status, from
// the time asked for on.
func (d *Dynamo) ListProblems(ctx context.Context, f problem.Filter) ([]problem.Problem, error) {
	statuses := f.Status
	if len(statuses) == 0 {
		statuses = problem.Statuses
	}
	out := []problem.Problem{}
	for _, st := range statuses {
		from := f.OpenedSince
		if st == problem.Resolved && f.ResolvedSince.After(from) {
			from = f.ResolvedSince // resolved problems are sorted by resolution, after their opening
		}
		if st != problem.Resolved && !f.ResolvedSince.IsZero() {
			continue // only resolved problems were resolved since
		}
		in := &dynamodb.QueryInput{
			IndexName:                 aws.String(Table.Indexes[0].Name),
			KeyConditionExpression:    aws.String("#lpk = :p"),
			ExpressionAttributeNames:  map[string]string{"#lpk": "list_pk"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(listProblem + string(st))},
			ScanIndexForward:          aws.Bool(false),
		}
		if !from.IsZero() {
			in.KeyConditionExpression = aws.String("#lpk = :p AND #lsk >= :since")
			in.ExpressionAttributeNames["#lsk"] = "list_sk"
			in.ExpressionAttributeValues[":since"] = s(fmtTime(from))
		}
		if f.Team != "" {
			in.FilterExpression = aws.String("#team = :team")
			in.ExpressionAttributeNames["#team"] = "team"
			in.ExpressionAttributeValues[":team"] = s(f.Team)
		}
		var bad error
		err := d.query(ctx, in, func(it map[string]types.AttributeValue) {
			p, err := problemFrom(it)
			if err != nil {
				bad = err
				return
			}
			if f.Admits(p) {
				out = append(out, p)
			}
		})
		if err == nil {
			err = bad
		}
		if err != nil {
			return nil, fmt.Errorf("list %s problems: %w", st, err)
		}
	}
	problem.Sort(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// UpdateProblem: see Problems.UpdateProblem.
func (d *Dynamo) UpdateProblem(ctx context.Context, id string, apply func(*problem.Problem) error, entry problem.Entry) (problem.Problem, error) {
	for range maxConflicts {
		p, err := d.problemMeta(ctx, id)
		if err != nil {
			return problem.Problem{}, err
		}
		read := p.Version
		if err := apply(&p); err != nil {
			return problem.Problem{}, err
		}
		p.ID, p.Version, p.UpdatedAt = id, read+1, d.now().UTC()
		item, err := problemItem(p)
		if err != nil {
			return problem.Problem{}, err
		}
		err = d.putVersioned(ctx, item, read)
		if err == errConflict {
			continue
		}
		if err != nil {
			return problem.Problem{}, fmt.Errorf("update problem %s: %w", id, err)
		}
		entry.Problem = id
		if err := d.putProblemEntry(ctx, entry); err != nil {
			return problem.Problem{}, fmt.Errorf("update problem %s: %w", id, err)
		}
		return p, nil
	}
	return problem.Problem{}, fmt.Errorf("update problem %s: %d concurrent updates in a row", id, maxConflicts)
}

// LinkIncident: see Problems.LinkIncident.
func (d *Dynamo) LinkIncident(ctx context.Context, id, incidentID string, at time.Time) (bool, error) {
	if _, err := d.problemMeta(ctx, id); err != nil {
		return false, fmt.Errorf("link %s: %w", incidentID, err)
	}
	item := itemKey(problemPK(id), pfxLink+incidentID)
	item[attrLinked] = s(fmtTime(at))
	err := d.putVersioned(ctx, item, 0)
	if err == errConflict {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("link %s to problem %s: %w", incidentID, id, err)
	}
	return true, nil
}

// ProblemTimeline: see Problems.ProblemTimeline.
func (d *Dynamo) ProblemTimeline(ctx context.Context, id string) ([]problem.Entry, error) {
	if _, err := d.problemMeta(ctx, id); err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	var out []problem.Entry
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :t)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(problemPK(id)), ":t": s(pfxTimeline)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) {
		e := fromEntry(id, it)
		out = append(out, problem.Entry{Problem: id, At: e.At, Kind: e.Kind, Actor: e.Actor, Detail: e.Detail, Key: e.Key, Data: e.Data})
	})
	if err != nil {
		return nil, fmt.Errorf("timeline of problem %s: %w", id, err)
	}
	return out, nil
}

// AddProblemEntries: see Problems.AddProblemEntries.
func (d *Dynamo) AddProblemEntries(ctx context.Context, entries ...problem.Entry) error {
	checked := map[string]bool{}
	for _, e := range entries {
		if !checked[e.Problem] {
			if _, err := d.problemMeta(ctx, e.Problem); err != nil {
				return fmt.Errorf("problem timeline entry %q: %w", e.Key, err)
			}
			checked[e.Problem] = true
		}
		if err := d.putProblemEntry(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dynamo) putProblemEntry(ctx context.Context, e problem.Entry) error {
	if e.Problem == "" || e.Key == "" {
		return nil
	}
	item := entryItem(problemPK(e.Problem), incident.Entry{At: e.At, Kind: e.Kind, Actor: e.Actor, Detail: e.Detail, Key: e.Key, Data: e.Data})
	err := d.putVersioned(ctx, item, 0)
	if err != nil && err != errConflict {
		return fmt.Errorf("problem timeline entry %q of %s: %w", e.Key, e.Problem, err)
	}
	return nil
}
