// Package dynamotest is the DynamoDB test harness: it runs dynalite, a real
// DynamoDB-protocol server, on a random loopback port, builds aws-sdk-go-v2 clients for
// it (counting or metering their requests when asked), and gives each test a fresh
// table of Firebreak's schema (testing.go). Tests and benchmarks use it, nothing else;
// it needs Node.js and `npm ci` at the repository root.
package dynamotest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// ErrUnavailable says what is missing to run dynalite.
var ErrUnavailable = errors.New("dynalite unavailable")

// Server is a running dynalite.
type Server struct {
	Endpoint string
	cmd      *exec.Cmd
	stdin    io.Closer
	done     chan error
}

// ModuleRoot finds the repository root (the directory holding go.mod) from dir upwards.
func ModuleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "firebreak.yaml")); err == nil {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no Firebreak repository (go.mod with firebreak.yaml) above %s", dir)
		}
	}
}

// Start launches dynalite from the repository's node_modules.
func Start(ctx context.Context) (*Server, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root, err := ModuleRoot(wd)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "dynalite", "package.json")); err != nil {
		return nil, fmt.Errorf("%w: %s/node_modules/dynalite is missing: run `npm ci` in %s (make test does)", ErrUnavailable, root, root)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("%w: node is not on PATH: install Node.js 20 or later", ErrUnavailable)
	}
	cmd := exec.Command(node, filepath.Join(root, "internal", "store", "dynamotest", "launch.cjs"))
	cmd.Dir = root
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: start dynalite: %v", ErrUnavailable, err)
	}
	srv := &Server{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { srv.done <- cmd.Wait() }()
	select {
	case line, ok := <-lines:
		var msg struct{ Port int }
		if !ok || json.Unmarshal([]byte(line), &msg) != nil || msg.Port == 0 {
			srv.Close()
			return nil, fmt.Errorf("%w: dynalite did not report its port (got %q): %s", ErrUnavailable, line, stderr.String())
		}
		srv.Endpoint = fmt.Sprintf("http://127.0.0.1:%d", msg.Port)
		return srv, nil
	case <-time.After(30 * time.Second):
		srv.Close()
		return nil, fmt.Errorf("%w: dynalite did not start within 30s: %s", ErrUnavailable, stderr.String())
	case <-ctx.Done():
		srv.Close()
		return nil, ctx.Err()
	}
}

// Close stops dynalite.
func (s *Server) Close() {
	_ = s.stdin.Close()
	select {
	case <-s.done:
	case <-time.After(3 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Client returns a DynamoDB client for the server, with dummy static credentials (the
// SDK signs every request exactly as it would for AWS).
func (s *Server) Client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.Endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 3,
	})
}

// CreateTable creates a table from Firebreak's schema and waits until it is active.
func CreateTable(ctx context.Context, db *dynamodb.Client, name string) error {
	if _, err := db.CreateTable(ctx, store.Table.CreateTableInput(name)); err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second); err != nil {
		return fmt.Errorf("wait for table %s: %w", name, err)
	}
	return nil
}

// Counter counts the HTTP requests a client sends (retries included), by operation.
type Counter struct {
	mu      sync.Mutex
	ops     map[string]int
	first   map[string]int // first attempts alone
	retries int
	rt      http.RoundTripper
}

// RoundTrip counts and forwards one request.
func (c *Counter) RoundTrip(r *http.Request) (*http.Response, error) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	// The SDK numbers its attempts ("attempt=2; max=3"): a retry after an error or a
	// lost answer, whose write may have happened already.
	retry := !strings.HasPrefix(r.Header.Get("Amz-Sdk-Request"), "attempt=1;")
	c.mu.Lock()
	c.ops[op]++
	if retry {
		c.retries++
	} else {
		if c.first == nil {
			c.first = map[string]int{}
		}
		c.first[op]++
	}
	c.mu.Unlock()
	return c.rt.RoundTrip(r)
}

// Retries is the number of requests the SDK sent again after an error.
func (c *Counter) Retries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.retries
}

// Total is the number of requests sent.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.ops {
		n += v
	}
	return n
}

// ByOperation returns a copy of the per-operation counts.
func (c *Counter) ByOperation() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.ops))
	for k, v := range c.ops {
		out[k] = v
	}
	return out
}

// Requested returns the requests the code made, by operation: first attempts alone, as
// an SDK retry after a loaded dynalite's hiccup is the machine's, not the code's.
func (c *Counter) Requested() (total int, byOp map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	byOp = make(map[string]int, len(c.first))
	for k, v := range c.first {
		byOp[k] = v
		total += v
	}
	return total, byOp
}

// Reset zeroes the counts.
func (c *Counter) Reset() {
	c.mu.Lock()
	c.ops = map[string]int{}
	c.first = map[string]int{}
	c.retries = 0
	c.mu.Unlock()
}

// CountingClient is Client with every HTTP request counted.
func (s *Server) CountingClient() (*dynamodb.Client, *Counter) {
	c := &Counter{ops: map[string]int{}, rt: http.DefaultTransport}
	db := dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.Endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 3,
		HTTPClient:       &http.Client{Transport: c},
	})
	return db, c
}
