package event

// Parsers for AWS service events an SRE meets first: Auto Scaling, ECS, KMS key
// lifecycle, Trusted Advisor, EC2 Spot, RDS, EBS, CodePipeline and CodeDeploy.
//
// Every detail field here is best-effort. The detail is read as untyped JSON and each
// field is taken only when it has the expected shape: a missing, null, empty or
// oddly-typed field lowers what the parser can say (a generic resource, fewer attrs,
// an info signal), it never makes the event an error.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Detail-types of the service events parsed in this file.
const (
	TypeASGLaunchFailed      = "EC2 Instance Launch Unsuccessful"
	TypeASGLaunched          = "EC2 Instance Launch Successful"
	TypeASGTerminateFailed   = "EC2 Instance Terminate Unsuccessful"
	TypeASGTerminated        = "EC2 Instance Terminate Successful"
	TypeECSDeployment        = "ECS Deployment State Change"
	TypeECSTask              = "ECS Task State Change"
	TypeKMSKeyDeleted        = "KMS CMK Deletion"
	TypeKMSKeyRotated        = "KMS CMK Rotation"
	TypeKMSMaterialExpired   = "KMS Imported Key Material Expiration"
	TypeTrustedAdvisor       = "Trusted Advisor Check Item Refresh Notification"
	TypeSpotInterruption     = "EC2 Spot Instance Interruption Warning"
	TypeRebalance            = "EC2 Instance Rebalance Recommendation"
	TypeRDSInstance          = "RDS DB Instance Event"
	TypeRDSCluster           = "RDS DB Cluster Event"
	TypeEBSVolume            = "EBS Volume Notification"
	TypeEBSSnapshot          = "EBS Snapshot Notification"
	TypePipelineExecution    = "CodePipeline Pipeline Execution State Change"
	TypeCodeDeployDeployment = "CodeDeploy Deployment State-change Notification"

	sourceAutoScaling    = "aws.autoscaling"
	sourceECS            = "aws.ecs"
	sourceKMS            = "aws.kms"
	sourceTrustedAdvisor = "aws.trustedadvisor"
	sourceRDS            = "aws.rds"
	sourceCodePipeline   = "aws.codepipeline"
	sourceCodeDeploy     = "aws.codedeploy"

	// rdsRecoveryComplete is RDS-EVENT-0021, "Recovery of the DB instance is complete".
	rdsRecoveryComplete = "RDS-EVENT-0021"
)

// serviceParser returns the parser for the service events of this file, or nil.
func serviceParser(env events.EventBridgeEvent) detailParser {
	switch env.Source {
	case sourceAutoScaling:
		switch env.DetailType {
		case TypeASGLaunchFailed, TypeASGLaunched, TypeASGTerminateFailed, TypeASGTerminated:
			return parseAutoScaling
		}
	case sourceECS:
		switch env.DetailType {
		case TypeECSDeployment:
			return parseECSDeployment
		case TypeECSTask:
			return parseECSTask
		}
	case sourceKMS:
		switch env.DetailType {
		case TypeKMSKeyDeleted, TypeKMSKeyRotated, TypeKMSMaterialExpired:
			return parseKMSKeyEvent
		}
	case sourceTrustedAdvisor:
		if env.DetailType == TypeTrustedAdvisor {
			return parseTrustedAdvisor
		}
	case sourceEC2:
		switch env.DetailType {
		case TypeSpotInterruption, TypeRebalance:
			return parseSpot
		case TypeEBSVolume:
			return parseEBSVolume
		case TypeEBSSnapshot:
			return parseEBSSnapshot
		}
	case sourceRDS:
		switch env.DetailType {
		case TypeRDSInstance, TypeRDSCluster:
			return parseRDS
		}
	case sourceCodePipeline:
		if env.DetailType == TypePipelineExecution {
			return parseCodePipeline
		}
	case sourceCodeDeploy:
		if env.DetailType == TypeCodeDeployDeployment {
			return parseCodeDeploy
		}
	}
	return nil
}

// fields is a detail read as untyped JSON; its accessors never fail.
type fields map[string]any

// str returns the field as text: strings as they are (trimmed), numbers and booleans
// formatted; objects, lists, null and absent fields give "".
func (f fields) str(key string) string { return scalar(f[key]) }

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// obj returns the field as an object, or an empty one.
func (f fields) obj(key string) fields {
	if m, ok := f[key].(map[string]any); ok {
		return m
	}
	return fields{}
}

// list returns the field as a list; a single value reads as a list of one.
func (f fields) list(key string) []any {
	switch x := f[key].(type) {
	case []any:
		return x
	case nil:
		return nil
	default:
		return []any{x}
	}
}

// strs returns the field's text values (a list of strings, or a single string).
func (f fields) strs(key string) []string {
	var out []string
	for _, v := range f.list(key) {
		if s := scalar(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// arnTail returns what follows the last '/' (or, failing that, the last ':') of an ARN.
func arnTail(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	if i := strings.LastIndexByte(arn, ':'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// resourceLike returns the first envelope resource that contains marker, or "".
func resourceLike(env events.EventBridgeEvent, marker string) string {
	for _, r := range env.Resources {
		if strings.Contains(r, marker) {
			return r
		}
	}
	return ""
}

func setTags(e *Event, m fields) {
	for k, v := range m {
		if s := scalar(v); s != "" {
			if e.Tags == nil {
				e.Tags = map[string]string{}
			}
			e.Tags[k] = s
		}
	}
}

// parseAutoScaling: launch and terminate results of an Auto Scaling group. The group is
// the subject, so an unsuccessful launch and a later successful one meet on one incident.
func parseAutoScaling(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	asg := d.str("AutoScalingGroupName")
	if asg == "" {
		_, asg, _ = strings.Cut(resourceLike(env, "autoScalingGroupName/"), "autoScalingGroupName/")
	}
	instance := d.str("EC2InstanceId")
	action := "launch"
	if env.DetailType == TypeASGTerminateFailed || env.DetailType == TypeASGTerminated {
		action = "terminate"
	}
	ok := env.DetailType == TypeASGLaunched || env.DetailType == TypeASGTerminated
	e.Signal = Trigger
	if ok {
		e.Signal = Recovery
	}
	e.Resource = first(asg, e.Resource, instance)
	details := d.obj("Details")
	setAttr(&e, "asg_name", asg)
	setAttr(&e, attrInstanceID, instance)
	setAttr(&e, "action", action)
	setAttr(&e, "status_code", d.str("StatusCode"))
	setAttr(&e, "status_message", clip(d.str("StatusMessage"), maxSummaryRunes))
	setAttr(&e, "cause", clip(d.str("Cause"), maxSummaryRunes))
	setAttr(&e, "activity_id", d.str("ActivityId"))
	setAttr(&e, "availability_zone", details.str("Availability Zone"))
	setAttr(&e, "subnet_id", details.str("Subnet ID"))
	group := first(asg, "an Auto Scaling group")
	if ok {
		e.Summary = fmt.Sprintf("%s: %s of %s succeeded", group, action, first(instance, "an instance"))
	} else {
		e.Summary = fmt.Sprintf("%s could not %s %s", group, action, first(instance, "an instance"))
		if m := first(d.str("StatusMessage"), d.str("Cause")); m != "" {
			e.Summary += ": " + m
		}
	}
	return one(e)
}

// ecsService splits an ECS service ARN, in its long (service/cluster/name) or short
// (service/name) form, into cluster and service name.
func ecsService(arn string) (cluster, service string) {
	i := strings.Index(arn, ":service/")
	if i < 0 {
		return "", ""
	}
	parts := strings.Split(arn[i+len(":service/"):], "/")
	if len(parts) >= 2 {
		return parts[0], parts[len(parts)-1]
	}
	return "", parts[0]
}

// parseECSDeployment: a service deployment failed (the circuit breaker stopped it),
// completed (the recovery: the service reached a steady state) or is in progress.
func parseECSDeployment(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	name := d.str("eventName")
	switch name {
	case "SERVICE_DEPLOYMENT_FAILED":
		e.Signal = Trigger
	case "SERVICE_DEPLOYMENT_COMPLETED":
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	svcARN := resourceLike(env, ":service/")
	cluster, service := ecsService(svcARN)
	e.Resource = first(svcARN, e.Resource)
	setAttr(&e, attrEventName, name)
	setAttr(&e, "event_type", d.str("eventType"))
	setAttr(&e, "deployment_id", d.str("deploymentId"))
	setAttr(&e, "cluster", cluster)
	setAttr(&e, "service", service)
	setAttr(&e, "reason", clip(d.str("reason"), maxSummaryRunes))
	e.Summary = fmt.Sprintf("ECS service %s: %s", first(service, e.Resource, "unknown"), first(name, "deployment state change"))
	if r := d.str("reason"); r != "" {
		e.Summary += ": " + r
	}
	return one(e)
}

// parseECSTask: a stopped task is a failure when it failed to start, failed its health
// checks, or stopped by itself with a container exiting non-zero or a container failure
// reason. Stops ECS or a person asked for (scale-in, deployments, Spot, user stops) are
// info whatever the exit code: it is the container's answer to SIGTERM or SIGKILL.
// Failures of one service share a subject: the service.
func parseECSTask(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	last := d.str("lastStatus")
	stopCode := d.str("stopCode")
	reason := d.str("stoppedReason")
	var failedContainer, exitCode, containerReason string
	for _, c := range d.list("containers") {
		cm, ok := c.(map[string]any)
		if !ok {
			continue
		}
		cf := fields(cm)
		code, why := cf.str("exitCode"), cf.str("reason")
		if (code != "" && code != "0") || why != "" {
			failedContainer, exitCode, containerReason = cf.str("name"), code, why
			break
		}
	}
	e.Signal = Info
	if last == "STOPPED" {
		switch {
		case stopCode == "TaskFailedToStart", strings.HasPrefix(reason, "Task failed"):
			e.Signal = Trigger
		case stopCode == "UserInitiated", stopCode == "ServiceSchedulerInitiated", stopCode == "SpotInterruption", stopCode == "TerminationNotice":
		case exitCode != "" || containerReason != "":
			e.Signal = Trigger
		}
	}
	clusterARN := d.str("clusterArn")
	cluster := arnTail(clusterARN)
	group := d.str("group")
	taskARN := first(d.str("taskArn"), resourceLike(env, ":task/"))
	family := arnTail(d.str("taskDefinitionArn"))
	if i := strings.LastIndexByte(family, ':'); i > 0 {
		family = family[:i]
	}
	switch {
	case group != "":
		e.Resource = strings.TrimPrefix(cluster+"/"+group, "/")
	case family != "":
		e.Resource = strings.TrimPrefix(cluster+"/family:"+family, "/")
	default:
		e.Resource = first(taskARN, e.Resource)
	}
	e.Subject = e.Resource
	setAttr(&e, "cluster", cluster)
	setAttr(&e, "group", group)
	if s, ok := strings.CutPrefix(group, "service:"); ok {
		setAttr(&e, "service", s)
	}
	setAttr(&e, "task_arn", taskARN)
	setAttr(&e, "task_definition", d.str("taskDefinitionArn"))
	setAttr(&e, "last_status", last)
	setAttr(&e, "stop_code", stopCode)
	setAttr(&e, "stopped_reason", clip(reason, maxSummaryRunes))
	setAttr(&e, "container", failedContainer)
	setAttr(&e, "exit_code", exitCode)
	setAttr(&e, "container_reason", clip(containerReason, maxSummaryRunes))
	e.Summary = fmt.Sprintf("ECS task of %s %s", first(group, family, "unknown group"), strings.ToLower(first(last, "changed state")))
	switch {
	case exitCode != "":
		e.Summary += fmt.Sprintf(": container %s exited %s", first(failedContainer, "?"), exitCode)
	case containerReason != "":
		e.Summary += ": " + containerReason
	case reason != "":
		e.Summary += ": " + reason
	}
	return one(e)
}

// parseKMSKeyEvent: the KMS service's own key lifecycle events. The key id is the
// resource, as for the CloudTrail key calls.
func parseKMSKeyEvent(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	arn := resourceLike(env, ":key/")
	key := first(d.str("key-id"), arnTail(arn), e.Resource)
	e.Resource = key
	switch env.DetailType {
	case TypeKMSKeyDeleted, TypeKMSMaterialExpired:
		e.Signal = Trigger
	default:
		e.Signal = Info
	}
	setAttr(&e, "key_id", key)
	setAttr(&e, "key_arn", arn)
	what := "key material rotated"
	switch env.DetailType {
	case TypeKMSKeyDeleted:
		what = "deleted at the end of its waiting period"
	case TypeKMSMaterialExpired:
		what = "imported key material expired"
	}
	e.Summary = fmt.Sprintf("KMS key %s %s", first(key, "(unknown)"), what)
	return one(e)
}

// parseTrustedAdvisor: a check item's status. ERROR and WARN report a problem, OK its
// recovery; the check and the flagged resource make the subject.
func parseTrustedAdvisor(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	check := d.str("check-name")
	status := strings.ToUpper(d.str("status"))
	switch status {
	case "ERROR", "WARN":
		e.Signal = Trigger
	case "OK":
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	item := d.obj("check-item-detail")
	key := item.str("Access Key ID")
	resource := first(key, d.str("resource_id"), e.Resource, item.str("Resource"), d.str("uuid"))
	e.Resource = first(resource, check)
	e.Subject = check
	if resource != "" {
		e.Subject = strings.TrimPrefix(check+"/"+resource, "/")
	}
	setAttr(&e, "check_name", check)
	setAttr(&e, "status", status)
	setAttr(&e, "resource_id", d.str("resource_id"))
	setAttr(&e, "access_key_id", key)
	setAttr(&e, "user_name", item.str("User Name (IAM or Root)"))
	setAttr(&e, "item_region", item.str("Region"))
	keys := make([]string, 0, len(item))
	for k := range item {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if v := item.str(k); v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	e.Summary = fmt.Sprintf("Trusted Advisor %s: %s", first(check, "check"), first(status, "status unknown"))
	if len(parts) > 0 {
		e.Summary += " (" + strings.Join(parts, ", ") + ")"
	}
	return one(e)
}

// parseSpot: a two-minute Spot interruption warning, or a rebalance recommendation.
func parseSpot(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	instance := first(d.str("instance-id"), arnTail(resourceLike(env, ":instance/")))
	action := d.str("instance-action")
	e.Resource = first(instance, e.Resource)
	e.Signal = Trigger
	if env.DetailType == TypeRebalance {
		e.Signal = Info
	}
	setAttr(&e, attrInstanceID, instance)
	setAttr(&e, "instance_action", action)
	if env.DetailType == TypeRebalance {
		e.Summary = fmt.Sprintf("EC2 Spot instance %s: rebalance recommended", first(instance, "(unknown)"))
	} else {
		e.Summary = fmt.Sprintf("EC2 Spot instance %s will be interrupted (%s)", first(instance, "(unknown)"), first(action, "action unknown"))
	}
	return one(e)
}

// parseRDS: RDS instance and cluster events. The category says what happened: failure
// and low storage are problems, failover is a disruption, recovery-complete
// (RDS-EVENT-0021) the recovery; everything else is info.
func parseRDS(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	cats := d.strs("EventCategories")
	id := d.str("EventID")
	e.Signal = Info
	for _, c := range cats {
		switch strings.ToLower(c) {
		case "failure", "low storage", "failover":
			e.Signal = Trigger
		}
	}
	if id == rdsRecoveryComplete {
		e.Signal = Recovery
	}
	arn := first(d.str("SourceArn"), resourceLike(env, ":rds:"))
	e.Resource = first(d.str("SourceIdentifier"), arnTail(arn), e.Resource)
	setTags(&e, d.obj("Tags"))
	setAttr(&e, "categories", strings.Join(cats, ","))
	setAttr(&e, "rds_event_id", id)
	setAttr(&e, "source_type", d.str("SourceType"))
	setAttr(&e, "source_arn", arn)
	setAttr(&e, "message", clip(d.str("Message"), maxSummaryRunes))
	e.Summary = fmt.Sprintf("RDS %s", first(e.Resource, "(unknown)"))
	if len(cats) > 0 {
		e.Summary += " [" + strings.Join(cats, ",") + "]"
	}
	if m := d.str("Message"); m != "" {
		e.Summary += ": " + m
	}
	return one(e)
}

// parseEBSVolume: the result of a volume action; "failed" is a problem.
func parseEBSVolume(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	result, action, cause := d.str("result"), d.str("event"), d.str("cause")
	e.Signal = Info
	if result == "failed" {
		e.Signal = Trigger
	}
	arn := resourceLike(env, ":volume/")
	e.Resource = first(arnTail(arn), e.Resource)
	setAttr(&e, "volume_id", arnTail(arn))
	setAttr(&e, "volume_event", action)
	setAttr(&e, "result", result)
	setAttr(&e, "cause", clip(cause, maxSummaryRunes))
	e.Summary = fmt.Sprintf("EBS volume %s: %s %s", first(e.Resource, "(unknown)"), first(action, "event"), first(result, "(no result)"))
	if cause != "" {
		e.Summary += ": " + cause
	}
	return one(e)
}

// parseEBSSnapshot: the result of a snapshot action. The source volume is the subject,
// so a later successful snapshot of the same volume recovers a failed one.
func parseEBSSnapshot(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	result, action, cause := d.str("result"), d.str("event"), d.str("cause")
	switch result {
	case "failed":
		e.Signal = Trigger
	case "succeeded":
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	snapshot := first(arnTail(d.str("snapshot_id")), arnTail(resourceLike(env, ":snapshot/")))
	source := d.str("source")
	if source == "" { // createSnapshots: one entry per volume
		for _, s := range d.list("snapshots") {
			if m, ok := s.(map[string]any); ok {
				if source = fields(m).str("source"); source != "" {
					break
				}
			}
		}
	}
	volume := ""
	if strings.Contains(source, ":volume/") {
		volume = arnTail(source)
	}
	e.Resource = first(volume, snapshot, e.Resource)
	setAttr(&e, "snapshot_id", snapshot)
	setAttr(&e, "volume_id", volume)
	setAttr(&e, "snapshot_event", action)
	setAttr(&e, "result", result)
	setAttr(&e, "cause", clip(cause, maxSummaryRunes))
	e.Summary = fmt.Sprintf("EBS %s of %s %s", first(action, "snapshot"), first(e.Resource, "(unknown)"), first(result, "(no result)"))
	if cause != "" {
		e.Summary += ": " + cause
	}
	return one(e)
}

// parseCodePipeline: a pipeline execution FAILED, or SUCCEEDED (the recovery of an
// earlier failure of the same pipeline); other states are info.
func parseCodePipeline(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	pipeline := first(d.str("pipeline"), arnTail(resourceLike(env, ":codepipeline:")))
	state := d.str("state")
	switch state {
	case "FAILED":
		e.Signal = Trigger
	case "SUCCEEDED":
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	e.Resource = first(pipeline, e.Resource)
	setAttr(&e, "pipeline", pipeline)
	setAttr(&e, "state", state)
	setAttr(&e, "execution_id", d.str("execution-id"))
	setAttr(&e, "trigger_type", d.obj("execution-trigger").str("trigger-type"))
	e.Summary = fmt.Sprintf("CodePipeline %s execution %s %s", first(pipeline, "(unknown)"), first(d.str("execution-id"), "?"), first(state, "changed state"))
	return one(e)
}

// parseCodeDeploy: a deployment to a deployment group ended in FAILURE, or SUCCESS (the
// recovery of an earlier failure in the same group); other states are info.
func parseCodeDeploy(env events.EventBridgeEvent, detail obj, e Event) []Event {
	d := fields(detail)
	app, group := d.str("application"), d.str("deploymentGroup")
	if app == "" || group == "" {
		_, ag, _ := strings.Cut(resourceLike(env, ":deploymentgroup:"), ":deploymentgroup:")
		if a, g, ok := strings.Cut(ag, "/"); ok {
			app, group = first(app, a), first(group, g)
		}
	}
	state := d.str("state")
	switch state {
	case "FAILURE":
		e.Signal = Trigger
	case "SUCCESS":
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	if app != "" || group != "" {
		e.Resource = strings.Trim(app+"/"+group, "/")
	}
	setAttr(&e, "application", app)
	setAttr(&e, "deployment_group", group)
	setAttr(&e, "deployment_id", d.str("deploymentId"))
	setAttr(&e, "state", state)
	e.Summary = fmt.Sprintf("CodeDeploy %s deployment %s %s", first(e.Resource, "(unknown)"), first(d.str("deploymentId"), "?"), first(state, "changed state"))
	return one(e)
}
