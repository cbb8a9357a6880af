package incident

// The account directory (internal/accounts) writes no entries of its own: how an
// account shaped an incident is said where it opened, on its KindOpened entry (in its
// detail and under DataAccountReason) and on the incident (AccountReason).
const (
	// DataAccountReason is the opened entry's data key holding the account directory's
	// reason, e.g. "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold".
	DataAccountReason = "account_reason"
)
