package store

// The keys of incident items: the table's stream filter (infra) selects the records
// dispatch acts on by them, as IncidentFromStream does.
const (
	IncidentKeyPrefix = pfxIncident // partition key prefix: INC#<id>
	IncidentSortKey   = skMeta      // sort key of the incident item itself
)
