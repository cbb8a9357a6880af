package token

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// RotationAPI is the part of Secrets Manager the rotation handler uses.
type RotationAPI interface {
	SecretsManagerAPI // GetSecretValue
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

var _ RotationAPI = (*secretsmanager.Client)(nil)

// MaxKeys is how many keys a rotated ring keeps: the new key, which signs, and the two
// before it, so that a link signed before either of the last two rotations still
// verifies (links live at most ApprovalTTL; rotations are weeks apart).
const MaxKeys = 3

// The steps of a Secrets Manager rotation, in order, and the staging labels they move.
const (
	StepCreate = "createSecret"
	StepSet    = "setSecret"
	StepTest   = "testSecret"
	StepFinish = "finishSecret"

	stageCurrent = "AWSCURRENT"
	stagePending = "AWSPENDING"
)

// Rotator is the rotation function of the link-keys secret: Secrets Manager invokes
// it once per step with the documented event {SecretId, ClientRequestToken, Step}.
//
//   - createSecret reads AWSCURRENT and, unless the version ClientRequestToken already
//     holds a value, stores the next ring there as AWSPENDING: a new random key as the
//     current one plus the keys of the current ring, at most MaxKeys, newest kept. When
//     AWSCURRENT is not a ring (the value CloudFormation generated), a new ring starts.
//   - setSecret has nothing to do: the ring lives only in the secret.
//   - testSecret parses AWSPENDING and checks that it still holds the key that signs
//     today's links.
//   - finishSecret moves AWSCURRENT to the new version (Secrets Manager moves
//     AWSPREVIOUS along).
//
// Every step can run again after a failure: what is done already is left as it is.
type Rotator struct {
	Client RotationAPI
	Rand   io.Reader        // new keys and key ids; nil: crypto/rand
	Now    func() time.Time // key ids carry the rotation time
	Log    *slog.Logger     // nil: discard
}

// Handle runs one step of a rotation.
func (r *Rotator) Handle(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	if ev.SecretID == "" || ev.ClientRequestToken == "" {
		return fmt.Errorf("rotate link keys: SecretId and ClientRequestToken are required (step %q)", ev.Step)
	}
	switch ev.Step {
	case StepCreate, StepSet, StepTest, StepFinish:
	default:
		return fmt.Errorf("rotate link keys %s: unknown step %q (want %s, %s, %s or %s)", ev.SecretID, ev.Step, StepCreate, StepSet, StepTest, StepFinish)
	}
	desc, err := r.Client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ev.SecretID)})
	if err != nil {
		return fmt.Errorf("rotate link keys %s: %s: describe the secret: %w", ev.SecretID, ev.Step, err)
	}
	if !aws.ToBool(desc.RotationEnabled) {
		return fmt.Errorf("rotate link keys %s: %s: rotation is not enabled on the secret", ev.SecretID, ev.Step)
	}
	stages, ok := desc.VersionIdsToStages[ev.ClientRequestToken]
	if !ok {
		return fmt.Errorf("rotate link keys %s: %s: version %s has no staging label for rotation", ev.SecretID, ev.Step, ev.ClientRequestToken)
	}
	if slices.Contains(stages, stageCurrent) {
		r.log().InfoContext(ctx, "link keys version is already AWSCURRENT", "secret", ev.SecretID, "version", ev.ClientRequestToken, "step", ev.Step)
		return nil
	}
	if !slices.Contains(stages, stagePending) {
		return fmt.Errorf("rotate link keys %s: %s: version %s is not AWSPENDING", ev.SecretID, ev.Step, ev.ClientRequestToken)
	}
	switch ev.Step {
	case StepCreate:
		err = r.create(ctx, ev)
	case StepSet:
		r.log().InfoContext(ctx, "link keys: nothing to set outside the secret", "secret", ev.SecretID, "version", ev.ClientRequestToken)
	case StepTest:
		err = r.test(ctx, ev)
	case StepFinish:
		err = r.finish(ctx, ev, desc.VersionIdsToStages)
	}
	if err != nil {
		return fmt.Errorf("rotate link keys %s: %s: %w", ev.SecretID, ev.Step, err)
	}
	return nil
}

func (r *Rotator) create(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	cur, err := r.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ev.SecretID), VersionStage: aws.String(stageCurrent)})
	if err != nil {
		return fmt.Errorf("read AWSCURRENT: %w", err)
	}
	_, err = r.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ev.SecretID),
		VersionId: aws.String(ev.ClientRequestToken), VersionStage: aws.String(stagePending)})
	if err == nil {
		r.log().InfoContext(ctx, "link keys: AWSPENDING already holds the next ring", "secret", ev.SecretID, "version", ev.ClientRequestToken)
		return nil
	}
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		return fmt.Errorf("read AWSPENDING: %w", err)
	}
	prev, perr := ParseRing([]byte(aws.ToString(cur.SecretString)))
	if perr != nil {
		// The value CloudFormation generated (or anything else that is not a ring):
		// there are no keys to keep. The error names no key material.
		r.log().WarnContext(ctx, "link keys: AWSCURRENT is not a key ring; starting a new one", "secret", ev.SecretID, "reason", perr.Error())
		prev = Ring{}
	}
	next, err := r.next(prev)
	if err != nil {
		return err
	}
	body, err := next.Encode()
	if err != nil {
		return err
	}
	in := &secretsmanager.PutSecretValueInput{SecretId: aws.String(ev.SecretID), ClientRequestToken: aws.String(ev.ClientRequestToken),
		SecretString: aws.String(string(body)), VersionStages: []string{stagePending}}
	if ev.RotationToken != "" {
		in.RotationToken = aws.String(ev.RotationToken)
	}
	if _, err := r.Client.PutSecretValue(ctx, in); err != nil {
		return fmt.Errorf("store the next ring as AWSPENDING: %w", err)
	}
	r.log().InfoContext(ctx, "link keys: next ring stored as AWSPENDING", "secret", ev.SecretID, "version", ev.ClientRequestToken,
		"current", next.Current, "keys", len(next.Keys), "previous_current", prev.Current)
	return nil
}

func (r *Rotator) test(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	pending, err := r.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ev.SecretID),
		VersionId: aws.String(ev.ClientRequestToken), VersionStage: aws.String(stagePending)})
	if err != nil {
		return fmt.Errorf("read AWSPENDING: %w", err)
	}
	next, err := ParseRing([]byte(aws.ToString(pending.SecretString)))
	if err != nil {
		return fmt.Errorf("AWSPENDING: %w", err)
	}
	if len(next.Keys) > MaxKeys {
		return fmt.Errorf("AWSPENDING holds %d keys; at most %d", len(next.Keys), MaxKeys)
	}
	cur, err := r.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ev.SecretID), VersionStage: aws.String(stageCurrent)})
	if err != nil {
		return fmt.Errorf("read AWSCURRENT: %w", err)
	}
	if prev, err := ParseRing([]byte(aws.ToString(cur.SecretString))); err == nil {
		if k, ok := next.Keys[prev.Current]; !ok || string(k) != string(prev.Keys[prev.Current]) {
			return fmt.Errorf("AWSPENDING drops or changes key %s, which signs the links sent until now", prev.Current)
		}
	}
	r.log().InfoContext(ctx, "link keys: AWSPENDING is a valid ring", "secret", ev.SecretID, "version", ev.ClientRequestToken, "current", next.Current)
	return nil
}

func (r *Rotator) finish(ctx context.Context, ev events.SecretsManagerSecretRotationEvent, versions map[string][]string) error {
	current := ""
	for id, stages := range versions {
		if slices.Contains(stages, stageCurrent) {
			current = id
		}
	}
	in := &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(ev.SecretID), VersionStage: aws.String(stageCurrent),
		MoveToVersionId: aws.String(ev.ClientRequestToken)}
	if current != "" {
		in.RemoveFromVersionId = aws.String(current)
	}
	if _, err := r.Client.UpdateSecretVersionStage(ctx, in); err != nil {
		return fmt.Errorf("move AWSCURRENT to %s: %w", ev.ClientRequestToken, err)
	}
	r.log().InfoContext(ctx, "link keys: new ring is AWSCURRENT", "secret", ev.SecretID, "version", ev.ClientRequestToken, "previous_version", current)
	return nil
}

// next is prev rotated: a new random key, with a new id, signs; prev's current key and
// then its newest other keys are kept, MaxKeys in all.
func (r *Rotator) next(prev Ring) (Ring, error) {
	random := r.Rand
	if random == nil {
		random = rand.Reader
	}
	key := make([]byte, KeySize)
	suffix := make([]byte, 4)
	if _, err := io.ReadFull(random, key); err != nil {
		return Ring{}, fmt.Errorf("make a link key: %w", err)
	}
	if _, err := io.ReadFull(random, suffix); err != nil {
		return Ring{}, fmt.Errorf("make a link key id: %w", err)
	}
	kid := nowOf(r.Now).Format(kidTime) + "-" + hex.EncodeToString(suffix)
	next := Ring{Current: kid, Keys: map[string][]byte{kid: key}}
	if _, ok := prev.Keys[prev.Current]; ok && prev.Current != kid {
		next.Keys[prev.Current] = prev.Keys[prev.Current]
	}
	var others []string
	for id := range prev.Keys {
		if _, kept := next.Keys[id]; !kept {
			others = append(others, id)
		}
	}
	sort.Slice(others, func(i, j int) bool { return newer(others[i], others[j]) })
	for _, id := range others {
		if len(next.Keys) >= MaxKeys {
			break
		}
		next.Keys[id] = prev.Keys[id]
	}
	return next, next.Validate()
}

// kidTime is the layout of the rotation time that starts the ids of rotated keys, so
// that they sort by age.
const kidTime = "20060102T150405Z"

var rotatedKidRE = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-`)

// newer orders key ids newest first: ids of rotated keys by their time, and ids of any
// other form (keys an operator made) after them, as the oldest.
func newer(a, b string) bool {
	ra, rb := rotatedKidRE.MatchString(a), rotatedKidRE.MatchString(b)
	if ra != rb {
		return ra
	}
	return a > b
}

// Encode renders the ring as ParseRing reads it: {"current": ..., "keys": {id: base64}}.
func (r Ring) Encode() ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("key ring: %w", err)
	}
	keys := make(map[string]string, len(r.Keys))
	for id, k := range r.Keys {
		keys[id] = base64.StdEncoding.EncodeToString(k)
	}
	return json.Marshal(struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}{r.Current, keys})
}

func (r *Rotator) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}
