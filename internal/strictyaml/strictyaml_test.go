package strictyaml_test

import (
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// level is a value with its own UnmarshalYAML, as configuration durations have.
type level int

func (l *level) UnmarshalYAML(n *yaml.Node) error {
	switch n.Value {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return strictyaml.NodeError(n, "%s is not low or high", strictyaml.Got(n))
	}
	return nil
}

type doc struct {
	Name  string `yaml:"name"`
	Items []struct {
		Count int   `yaml:"count"`
		Level level `yaml:"level"`
		On    bool  `yaml:"on"`
	} `yaml:"items"`
	Tags map[string]string `yaml:"tags"`
}

// TestDecodeErrors: every problem at once, each with the line and the key's full path;
// a second document and a file with nothing in it are errors.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
		doc              bool // a Doc comes back with the errors (decoding went on)
	}{
		{"valid", "name: a\nitems:\n  - {count: 1, level: low, on: true}\n", "", true},
		{"number", "name: a\nitems:\n  - count: many\n", `f.yaml:3: items[0].count: want a whole number, got "many"`, true},
		{"custom type, flow style", "items:\n  - {count: 1, level: medium}\n", `f.yaml:2: items[0].level: "medium" is not low or high`, true},
		{"same value twice on a line", "items:\n  - {count: x, level: x}\n",
			"f.yaml:2: items[0].count: want a whole number, got \"x\"\nf.yaml:2: items[0].level: \"x\" is not low or high", true},
		{"list for a string", "name: [a, b]\n", "f.yaml:1: name: want a string, got a list", true},
		{"mapping for a list", "items: {a: 1}\n", "f.yaml:1: items: want a list, got a mapping", true},
		{"boolean", "items:\n  - on: maybe\n", `f.yaml:2: items[0].on: want true or false, got "maybe"`, true},
		{"map value", "tags:\n  team: [x]\n", "f.yaml:2: tags.team: want a string, got a list", true},
		{"unknown key", "name: a\ncolour: blue\n", "f.yaml:2: colour: unknown key", true},
		{"unknown key in a list item", "items:\n  - count: 1\n    colour: blue\n", "f.yaml:3: items[0].colour: unknown key", true},
		{"unknown key, flow style", "items:\n  - {count: 1}\n  - {count: 2, colour: blue}\n", "f.yaml:3: items[1].colour: unknown key", true},
		{"unknown keys and bad values at once", "name: a\ncolour: blue\nitems:\n  - {count: x, level: medium}\n  - {size: 3}\n",
			"f.yaml:2: colour: unknown key\n" +
				"f.yaml:4: items[0].count: want a whole number, got \"x\"\n" +
				"f.yaml:4: items[0].level: \"medium\" is not low or high\n" +
				"f.yaml:5: items[1].size: unknown key", true},
		{"second document", "name: a\n---\nname: b\n", "f.yaml:2: a second YAML document starts here: the configuration is one document (remove the ---)", false},
		{"empty", "", "f.yaml: empty file: it holds no configuration", false},
		{"comments only", "# name: a\n", "f.yaml: empty file: it holds no configuration", false},
		{"null", "~\n", "f.yaml: empty file: it holds no configuration", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v doc
			d, err := strictyaml.Decode("f.yaml", []byte(tt.yaml), &v)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Decode(%q) error:\n%s\nwant\n%s", tt.yaml, got, tt.want)
			}
			if (d != nil) != tt.doc {
				t.Errorf("Decode(%q) Doc = %v; want one: %v", tt.yaml, d != nil, tt.doc)
			}
		})
	}
}

func TestLine(t *testing.T) {
	var v doc
	d, err := strictyaml.Decode("f.yaml", []byte("name: a\nitems:\n  - count: 1\n  - count: 2\n    level: high\n"), &v)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want int
	}{{"name", 1}, {"items[1].level", 5}, {"items[1].missing", 4}, {"items[7]", 3}, {"nothing", 1}}
	for _, tt := range tests {
		if got := d.Line(tt.path); got != tt.want {
			t.Errorf("Line(%q) = %d; want %d", tt.path, got, tt.want)
		}
	}
}
