package awstest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// Secret is one Secrets Manager secret with versions and staging labels, for tests of
// code that rotates secrets: Answer replies to DescribeSecret, GetSecretValue,
// PutSecretValue and UpdateSecretVersionStage for it, as the Secrets Manager API
// reference describes them (a label is on one version at a time; moving AWSCURRENT
// puts AWSPREVIOUS on the version it left; a version id written twice with another
// value is a ResourceExistsException). Use it as a Server's Answer.
type Secret struct {
	ARN, Name string

	mu       sync.Mutex
	versions map[string]*secretVersion
	order    []string // version ids, oldest first
	rotating bool
}

type secretVersion struct {
	value  *string // nil: a version RotateSecret created, with no value yet
	stages []string
}

// Labels of the versions Secrets Manager itself manages.
const (
	StageCurrent  = "AWSCURRENT"
	StagePending  = "AWSPENDING"
	StagePrevious = "AWSPREVIOUS"
)

// NewSecret is a secret whose first version (id "v0") holds value as AWSCURRENT.
func NewSecret(arn, name, value string) *Secret {
	s := &Secret{ARN: arn, Name: name, versions: map[string]*secretVersion{}}
	s.add("v0", &value, StageCurrent)
	return s
}

// StartRotation does what RotateSecret does before it invokes the rotation function:
// it marks rotation enabled and labels a new version, token, AWSPENDING, with no value.
func (s *Secret) StartRotation(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotating = true
	s.add(token, nil, StagePending)
}

// Value returns the value of the version a label is on.
func (s *Secret) Value(stage string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		v := s.versions[id]
		if slices.Contains(v.stages, stage) && v.value != nil {
			return *v.value, true
		}
	}
	return "", false
}

// Stages returns the labels of every version, by version id.
func (s *Secret) Stages() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stagesLocked()
}

// add creates (or relabels) a version and moves the labels to it. Callers hold mu.
func (s *Secret) add(id string, value *string, stages ...string) {
	v, ok := s.versions[id]
	if !ok {
		v = &secretVersion{}
		s.versions[id] = v
		s.order = append(s.order, id)
	}
	if value != nil {
		v.value = value
	}
	for _, st := range stages {
		s.moveStage(st, id)
	}
}

// moveStage puts a label on version id, taking it off the version that had it.
func (s *Secret) moveStage(stage, id string) {
	from := ""
	for vid, v := range s.versions {
		if i := slices.Index(v.stages, stage); i >= 0 && vid != id {
			v.stages = slices.Delete(v.stages, i, i+1)
			from = vid
		}
	}
	if !slices.Contains(s.versions[id].stages, stage) {
		s.versions[id].stages = append(s.versions[id].stages, stage)
	}
	if stage == StageCurrent && from != "" {
		s.moveStage(StagePrevious, from)
	}
}

// Answer replies to the Secrets Manager calls on this secret; other requests are left
// to the server's default reply.
func (s *Secret) Answer(r Request) (Reply, bool) {
	if r.Service != "secretsmanager" {
		return Reply{}, false
	}
	var in struct {
		SecretID            string   `json:"SecretId"`
		VersionID           string   `json:"VersionId"`
		VersionStage        string   `json:"VersionStage"`
		ClientRequestToken  string   `json:"ClientRequestToken"`
		SecretString        *string  `json:"SecretString"`
		VersionStages       []string `json:"VersionStages"`
		MoveToVersionID     string   `json:"MoveToVersionId"`
		RemoveFromVersionID string   `json:"RemoveFromVersionId"`
	}
	if err := json.Unmarshal(r.JSON, &in); err != nil {
		return JSONError("InvalidRequestException", err.Error()), true
	}
	if in.SecretID != s.ARN && in.SecretID != s.Name {
		return JSONError("ResourceNotFoundException", "Secrets Manager can't find the specified secret."), true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Action {
	case "DescribeSecret":
		return s.reply(map[string]any{"ARN": s.ARN, "Name": s.Name, "RotationEnabled": s.rotating, "VersionIdsToStages": s.stagesLocked()}), true
	case "GetSecretValue":
		id, v := s.find(in.VersionID, in.VersionStage)
		if v == nil || v.value == nil {
			return JSONError("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: "+in.VersionID+", staging label: "+in.VersionStage), true
		}
		return s.reply(map[string]any{"ARN": s.ARN, "Name": s.Name, "VersionId": id, "SecretString": *v.value,
			"VersionStages": v.stages, "CreatedDate": 1793610000}), true
	case "PutSecretValue":
		if in.ClientRequestToken == "" || in.SecretString == nil {
			return JSONError("InvalidParameterException", "ClientRequestToken and SecretString are required here"), true
		}
		if v, ok := s.versions[in.ClientRequestToken]; ok && v.value != nil && *v.value != *in.SecretString {
			return JSONError("ResourceExistsException", "A resource with the ID you requested already exists."), true
		}
		stages := in.VersionStages
		if len(stages) == 0 {
			stages = []string{StageCurrent}
		}
		s.add(in.ClientRequestToken, in.SecretString, stages...)
		return s.reply(map[string]any{"ARN": s.ARN, "Name": s.Name, "VersionId": in.ClientRequestToken, "VersionStages": s.versions[in.ClientRequestToken].stages}), true
	case "UpdateSecretVersionStage":
		if in.VersionStage == "" {
			return JSONError("InvalidParameterException", "VersionStage is required"), true
		}
		if in.RemoveFromVersionID != "" {
			v, ok := s.versions[in.RemoveFromVersionID]
			if !ok || !slices.Contains(v.stages, in.VersionStage) {
				return JSONError("InvalidParameterException", fmt.Sprintf("The staging label %s is not attached to version %s.", in.VersionStage, in.RemoveFromVersionID)), true
			}
		}
		if in.MoveToVersionID == "" {
			v := s.versions[in.RemoveFromVersionID]
			v.stages = slices.DeleteFunc(v.stages, func(st string) bool { return st == in.VersionStage })
		} else {
			if _, ok := s.versions[in.MoveToVersionID]; !ok {
				return JSONError("ResourceNotFoundException", "Secrets Manager can't find the specified secret version."), true
			}
			if cur := s.holder(in.VersionStage); cur != "" && cur != in.MoveToVersionID && cur != in.RemoveFromVersionID {
				return JSONError("InvalidParameterException", fmt.Sprintf("The staging label %s is attached to version %s; name it in RemoveFromVersionId.", in.VersionStage, cur)), true
			}
			s.moveStage(in.VersionStage, in.MoveToVersionID)
		}
		return s.reply(map[string]any{"ARN": s.ARN, "Name": s.Name}), true
	}
	return Reply{}, false
}

func (s *Secret) reply(v any) Reply {
	b, err := json.Marshal(v)
	if err != nil {
		return JSONError("InternalServiceError", err.Error())
	}
	return Reply{Status: 200, Body: string(b)}
}

// find returns the version named by id and/or stage (both must agree); AWSCURRENT
// when neither is given.
func (s *Secret) find(id, stage string) (string, *secretVersion) {
	if id == "" && stage == "" {
		stage = StageCurrent
	}
	if id == "" {
		id = s.holder(stage)
	}
	v, ok := s.versions[id]
	if !ok || (stage != "" && !slices.Contains(v.stages, stage)) {
		return "", nil
	}
	return id, v
}

// holder is the version a label is on, "" when none.
func (s *Secret) holder(stage string) string {
	for id, v := range s.versions {
		if slices.Contains(v.stages, stage) {
			return id
		}
	}
	return ""
}

func (s *Secret) stagesLocked() map[string][]string {
	out := map[string][]string{}
	for id, v := range s.versions {
		if len(v.stages) > 0 {
			out[id] = slices.Clone(v.stages)
		}
	}
	return out
}
