package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// The signature's headers and form (docs/webhooks.md quotes these; a test reads them
// back from the document).
const (
	// HeaderTimestamp is the time of the POST, in seconds since the Unix epoch.
	HeaderTimestamp = "X-Firebreak-Timestamp"
	// HeaderSignature is SignaturePrefix + the hex HMAC-SHA256, keyed with the
	// webhook's key, of the timestamp, ".", and the body, byte for byte.
	HeaderSignature = "X-Firebreak-Signature"
	// HeaderDelivery is the body's id again, for receivers that dedupe before parsing.
	HeaderDelivery  = "X-Firebreak-Delivery"
	SignaturePrefix = "v1="
)

// Sign returns the signature header's value of body sent at t.
func Sign(key []byte, t time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return timestamp, SignaturePrefix + hex.EncodeToString(mac.Sum(nil))
}
