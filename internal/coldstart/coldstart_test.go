package coldstart_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
)

// buildFlags are the Makefile's build rule's (build/%/bootstrap); TestBuildLikeMakefile
// keeps them in step. GOOS and GOARCH are the host's, so the binaries run here.
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// binary is a function built for the benchmark.
type binary struct {
	path string
	size int64
}

var (
	buildOnce sync.Once
	built     map[string]binary
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// binaries builds the intake Lambda, the hello-world baseline and the hello-world with a
// DynamoDB client (the floor for a function over the table) once per test binary.
func binaries(tb testing.TB) map[string]binary {
	tb.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "firebreak-coldstart-"); buildErr != nil {
			return
		}
		built = map[string]binary{}
		for name, pkg := range map[string]string{"intake": "github.com/firebreak-ops/firebreak/functions/intake", "hello": "./testdata/hello", "ddbhello": "./testdata/ddbhello"} {
			out := filepath.Join(buildDir, name, "bootstrap")
			cmd := exec.Command("go", append(append([]string{"build"}, buildFlags...), "-o", out, pkg)...)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if msg, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
				return
			}
			st, err := os.Stat(out)
			if err != nil {
				buildErr = err
				return
			}
			built[name] = binary{out, st.Size()}
		}
	})
	if buildErr != nil {
		tb.Fatalf("build: %v", buildErr)
	}
	return built
}

// runtimeAPI is a local Lambda runtime API that records when the first call of each
// process arrives (GET /2018-06-01/runtime/invocation/next) and then holds it open until
// the process is gone.
type runtimeAPI struct {
	*httptest.Server
	next chan time.Time
}

func newRuntimeAPI(tb testing.TB) *runtimeAPI {
	rt := &runtimeAPI{next: make(chan time.Time, 1)}
	rt.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/2018-06-01/runtime/invocation/next" {
			http.Error(w, "not part of this runtime API", http.StatusNotFound)
			return
		}
		select {
		case rt.next <- time.Now():
		default:
		}
		<-r.Context().Done()
	}))
	tb.Cleanup(rt.Close)
	return rt
}

// lambdaEnv is the environment the Lambda runtime gives a function (provided.al2023), with
// an empty home: no shared AWS config or credentials files, as in Lambda.
func lambdaEnv(rt *runtimeAPI, home string) []string {
	return []string{
		"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=en_US.UTF-8", "TZ=:UTC", "HOME=" + home,
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(rt.URL, "http://"),
		"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=ASIAQEXAMPLEEXAMPLE", "AWS_SECRET_ACCESS_KEY=bench-secret", "AWS_SESSION_TOKEN=bench-token",
		"AWS_LAMBDA_FUNCTION_NAME=firebreak-intake", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/firebreak-intake", "AWS_LAMBDA_LOG_STREAM_NAME=2026/11/30/[$LATEST]bench",
		"AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO", "LAMBDA_TASK_ROOT=/var/task", "_HANDLER=bootstrap",
		"TABLE_NAME=firebreak-bench",
	}
}

// coldStart runs bin and returns the time from its start to its first runtime-API call.
func (rt *runtimeAPI) coldStart(tb testing.TB, bin string, env []string) time.Duration {
	tb.Helper()
	select {
	case <-rt.next: // a straggler of an earlier run
	default:
	}
	var out bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case at := <-rt.next:
		_ = cmd.Process.Kill()
		<-exited
		return at.Sub(start)
	case err := <-exited:
		tb.Fatalf("%s exited (%v) before calling the runtime API: %s", bin, err, out.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		tb.Fatalf("%s did not call the runtime API within 30s: %s", bin, out.String())
	}
	return 0
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// BenchmarkIntakeInit: intake's init against a hello-world function's, alternating the
// order; each iteration is one run of each of intake, hello and ddbhello. init-x is the
// median of the per-round ratios intake/hello (issue 14's target: ≤ 1.3); floor-x is
// ddbhello/hello, what linking and making the DynamoDB client alone costs, and ddb-x is
// intake/ddbhello, what intake adds to that. The sizes are the binaries', in MB.
func BenchmarkIntakeInit(b *testing.B) {
	bins := binaries(b)
	rt := newRuntimeAPI(b)
	env := lambdaEnv(rt, b.TempDir())
	names := []string{"intake", "hello", "ddbhello"}
	times := map[string][]time.Duration{}
	var ratios, floors, overDDB []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got := map[string]time.Duration{}
		for j := range names {
			name := names[(i+j)%len(names)]
			got[name] = rt.coldStart(b, bins[name].path, env)
			times[name] = append(times[name], got[name])
		}
		ratios = append(ratios, float64(got["intake"])/float64(got["hello"]))
		floors = append(floors, float64(got["ddbhello"])/float64(got["hello"]))
		overDDB = append(overDDB, float64(got["intake"])/float64(got["ddbhello"]))
	}
	b.StopTimer()
	b.ReportMetric(float64(median(times["intake"]))/1e6, "intake-ms")
	b.ReportMetric(float64(median(times["hello"]))/1e6, "hello-ms")
	b.ReportMetric(float64(median(times["ddbhello"]))/1e6, "ddbhello-ms")
	b.ReportMetric(median(ratios), "init-x")
	b.ReportMetric(median(floors), "floor-x")
	b.ReportMetric(median(overDDB), "ddb-x")
	b.ReportMetric(float64(bins["intake"].size)/1e6, "intake-MB")
	b.ReportMetric(float64(bins["hello"].size)/1e6, "hello-MB")
	b.ReportMetric(float64(bins["ddbhello"].size)/1e6, "ddbhello-MB")
}

// BenchmarkAWSConfig: what the Lambdas build their SDK configuration with
// (lambdaenv.AWSConfig, from the variables alone) against config.LoadDefaultConfig in
// the same environment (which also looks for the shared config and credentials files).
func BenchmarkAWSConfig(b *testing.B) {
	home := b.TempDir()
	for _, kv := range os.Environ() { // only the Lambda's variables: e.g. no AWS_CA_BUNDLE of this machine
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			b.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	env := map[string]string{}
	for _, kv := range lambdaEnv(&runtimeAPI{Server: &httptest.Server{URL: "http://127.0.0.1:9001"}}, home) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
		if k != "PATH" {
			b.Setenv(k, v)
		}
	}
	getenv := func(k string) string { return env[k] }
	b.Run("env", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := lambdaenv.AWSConfig(getenv); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LoadDefaultConfig", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := awsconfig.LoadDefaultConfig(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestBuildLikeMakefile: the benchmark builds with the Makefile's flags.
func TestBuildLikeMakefile(t *testing.T) {
	data, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	_, rule, ok := strings.Cut(string(data), "\nbuild/%/bootstrap:")
	if !ok {
		t.Fatalf("Makefile: no build/%%/bootstrap rule")
	}
	rule, _, _ = strings.Cut(rule, "\n\n")
	want := []string{"CGO_ENABLED=0", "-tags lambda.norpc", "-trimpath", "-ldflags='-s -w'"}
	for _, w := range want {
		if !strings.Contains(rule, w) {
			t.Errorf("Makefile build/%%/bootstrap rule = %q; want %q in it, as buildFlags here", rule, w)
		}
	}
	if got := strings.Join(buildFlags, " "); got != "-tags lambda.norpc -trimpath -ldflags=-s -w" {
		t.Errorf("buildFlags = %q; want the Makefile's", got)
	}
}

// TestIntakeStarts: the intake Lambda, built as deployed, reaches the runtime API in the
// Lambda environment (what the benchmark times), reading no file of the home directory.
func TestIntakeStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short (testing.Short): builds the intake Lambda")
	}
	bins := binaries(t)
	rt := newRuntimeAPI(t)
	if d := rt.coldStart(t, bins["intake"].path, lambdaEnv(rt, t.TempDir())); d <= 0 {
		t.Errorf("intake cold start = %v; want a positive time", d)
	}
}
