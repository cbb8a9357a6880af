package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{Table.PartitionKey: s(pk), Table.SortKey: s(sk)}
}

func incidentPK(id string) string { return pfxIncident + id }

func fingerPK(fp string) string { return pfxFinger + incident.FingerprintKey(fp) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(keyTime)
}

func parseTime(v string) time.Time {
	t, err := time.Parse(keyTime, v)
	if err != nil {
		return time.Time{}
	}
	return t
}

func toMeta(inc incident.Incident) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		Table.PartitionKey: s(incidentPK(inc.ID)), Table.SortKey: s(skMeta),
		"id": s(inc.ID), "seq": n(int64(inc.Seq)), "fingerprint": s(inc.Fingerprint), "class": s(inc.Class),
		"title": s(inc.Title), "severity": s(string(inc.Severity)), "sev_rank": n(int64(inc.Severity.Rank())),
		"team": s(inc.Team), "impact": s(inc.Impact), "runbook": s(inc.Runbook), "status": s(string(inc.Status)),
		"source": s(inc.Source), "account": s(inc.Account), "region": s(inc.Region), "resource": s(inc.Resource),
		"opened_by": s(inc.OpenedBy), "opened_at": s(fmtTime(inc.OpenedAt)), "state_at": s(fmtTime(inc.StateAt)),
		"updated_at": s(fmtTime(inc.UpdatedAt)), "version": n(int64(inc.Version)),
		"list_pk": s(listIncident + string(inc.Status)), "list_sk": s(fmtTime(inc.OpenedAt) + "#" + inc.ID),
		"owner_pk": s(listIncident + string(inc.Status)), // in the owner index only with owner_sk (IndexSources)
	}
	it["actor"] = s(inc.Actor)
	for name, m := range map[string]map[string]string{"attrs": inc.Attrs, "tags": inc.Tags} {
		if len(m) > 0 {
			av := make(map[string]types.AttributeValue, len(m))
			for k, v := range m {
				av[k] = s(v)
			}
			it[name] = &types.AttributeValueMemberM{Value: av}
		}
	}
	for k, v := range map[string]string{"acknowledged_at": fmtTime(inc.AcknowledgedAt), "acknowledged_by": inc.AcknowledgedBy,
		"resolved_at": fmtTime(inc.ResolvedAt), "mitigated_at": fmtTime(inc.MitigatedAt), "severity_at": fmtTime(inc.SeverityAt), "last_update_at": fmtTime(inc.LastUpdateAt), "parent": inc.Parent,
		"parent_reason": inc.ParentReason, "silenced_by": inc.SilencedBy,
		"account_name": inc.AccountName, "client": inc.Client, "environment": inc.Environment, "tier": inc.Tier, "account_reason": inc.AccountReason,
		attrRepeatID: inc.RepeatID, attrRepeatAt: fmtTime(inc.RepeatAt), attrRepeatSummary: inc.RepeatSummary, attrRepeatActor: inc.RepeatActor} {
		it[k] = s(v)
	}
	if !inc.DueAt.IsZero() {
		it["due_pk"], it["due_sk"], it["due_at"] = s(duePK), s(fmtTime(inc.DueAt)+"#"+inc.ID), s(fmtTime(inc.DueAt))
	}
	for k, v := range it { // absent rather than empty: one meaning for "not set"
		if sv, ok := v.(*types.AttributeValueMemberS); ok && sv.Value == "" {
			delete(it, k)
		}
	}
	return it
}

func fromMeta(it map[string]types.AttributeValue) incident.Incident {
	inc := incident.Incident{
		ID: str(it, "id"), Seq: num(it, "seq"), Fingerprint: str(it, "fingerprint"), Class: str(it, "class"),
		Title: str(it, "title"), Severity: incident.Severity(str(it, "severity")), Team: str(it, "team"),
		Impact: str(it, "impact"), Runbook: str(it, "runbook"), Status: incident.Status(str(it, "status")),
		Source: str(it, "source"), Account: str(it, "account"), Region: str(it, "region"), Resource: str(it, "resource"),
		OpenedBy: str(it, "opened_by"), OpenedAt: parseTime(str(it, "opened_at")), StateAt: parseTime(str(it, "state_at")),
		UpdatedAt: parseTime(str(it, "updated_at")), Version: num(it, "version"), Actor: str(it, "actor"),
	}
	inc.Attrs, inc.Tags = strMap(it["attrs"]), strMap(it["tags"])
	inc.AcknowledgedAt, inc.AcknowledgedBy = parseTime(str(it, "acknowledged_at")), str(it, "acknowledged_by")
	inc.ResolvedAt, inc.LastUpdateAt, inc.DueAt = parseTime(str(it, "resolved_at")), parseTime(str(it, "last_update_at")), parseTime(str(it, "due_at"))
	inc.Parent, inc.ParentReason, inc.SilencedBy = str(it, "parent"), str(it, "parent_reason"), str(it, "silenced_by")
	inc.SeverityAt, inc.MitigatedAt = parseTime(str(it, "severity_at")), parseTime(str(it, "mitigated_at"))
	inc.AccountName, inc.Client, inc.Environment = str(it, "account_name"), str(it, "client"), str(it, "environment")
	inc.Tier, inc.AccountReason = str(it, "tier"), str(it, "account_reason")
	inc.RepeatID, inc.RepeatAt = str(it, attrRepeatID), parseTime(str(it, attrRepeatAt))
	inc.RepeatSummary, inc.RepeatActor = str(it, attrRepeatSummary), str(it, attrRepeatActor)
	return inc
}

func fromEntry(id string, it map[string]types.AttributeValue) incident.Entry {
	e := incident.Entry{Incident: id, At: parseTime(str(it, "at")), Kind: incident.Kind(str(it, "kind")), Actor: str(it, "actor"),
		Detail: str(it, "detail"), Key: str(it, "key")}
	if m, ok := it["data"].(*types.AttributeValueMemberM); ok {
		e.Data = make(map[string]string, len(m.Value))
		for k, v := range m.Value {
			if sv, ok := v.(*types.AttributeValueMemberS); ok {
				e.Data[k] = sv.Value
			}
		}
	}
	return e
}

func str(it map[string]types.AttributeValue, k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(it map[string]types.AttributeValue, k string) int {
	if v, ok := it[k].(*types.AttributeValueMemberN); ok {
		i, _ := strconv.Atoi(v.Value)
		return i
	}
	return 0
}

func fromApproval(id string, it map[string]types.AttributeValue) Approval {
	return Approval{Incident: id, Key: str(it, "key"), Runbook: str(it, "runbook"), Execution: str(it, "execution"),
		Request: str(it, "request"), Token: str(it, "token"), RequestedAt: parseTime(str(it, "requested_at")),
		Decision: str(it, "decision"), By: str(it, "by"), DecidedAt: parseTime(str(it, "decided_at"))}
}

// IncidentFromStream converts a DynamoDB stream image to an incident. It reports false
// for images of other items (ledger pages, timeline entries, claims …).
func IncidentFromStream(image map[string]events.DynamoDBAttributeValue) (incident.Incident, bool) {
	if len(image) == 0 {
		return incident.Incident{}, false
	}
	pk, sk := image[Table.PartitionKey], image[Table.SortKey]
	if pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString ||
		!strings.HasPrefix(pk.String(), pfxIncident) || sk.String() != skMeta {
		return incident.Incident{}, false
	}
	it := make(map[string]types.AttributeValue, len(image))
	for k, v := range image {
		if av := fromStreamValue(v); av != nil {
			it[k] = av
		}
	}
	return fromMeta(it), true
}

func fromStreamValue(v events.DynamoDBAttributeValue) types.AttributeValue {
	switch v.DataType() {
	case events.DataTypeString:
		return s(v.String())
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}
	case events.DataTypeMap:
		m := map[string]types.AttributeValue{}
		for k, x := range v.Map() {
			if av := fromStreamValue(x); av != nil {
				m[k] = av
			}
		}
		return &types.AttributeValueMemberM{Value: m}
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}
	}
	return nil
}

func strMap(v types.AttributeValue) map[string]string {
	m, ok := v.(*types.AttributeValueMemberM)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m.Value))
	for k, x := range m.Value {
		if sv, ok := x.(*types.AttributeValueMemberS); ok {
			out[k] = sv.Value
		}
	}
	return out
}
