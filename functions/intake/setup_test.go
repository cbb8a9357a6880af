package main

import (
	"log/slog"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
)

// BenchmarkSetup runs intake's init work (lambdaenv.Load and setup) in a loop, for a CPU
// profile of it (-cpuprofile); the cold-start figure itself, a ratio to a hello-world
// Lambda, is internal/coldstart's.
func BenchmarkSetup(b *testing.B) {
	vars := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "TABLE_NAME": "firebreak"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		env, err := lambdaenv.Load(func(k string) string { return vars[k] }, slog.New(slog.DiscardHandler), options...)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := setup(env); err != nil {
			b.Fatal(err)
		}
	}
}
