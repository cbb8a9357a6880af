package event

import (
	"strings"
	"testing"
)

func TestClip(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct{ in, want string }{
		{"", ""},
		{"a b", "a b"},
		{"  a \t b\n", "a b"},
		{"é → ü", "é → ü"},
		{"a\u00a0\u00a0b", "a b"},
		{long, strings.Repeat("é", 239) + "…"},
	}
	for _, tt := range tests {
		if got := clip(tt.in, 240); got != tt.want {
			t.Errorf("clip(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
