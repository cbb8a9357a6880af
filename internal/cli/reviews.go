package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/review"
)

const reviewUsage = "incidents review ID [edit --section NAME --file F | complete [--no-actions]] [--json] [--api URL]"

// runReview is `firebreak incidents review ID [edit|complete]`: print the review's
// Markdown (--json: the structured review), write a section from a file, or mark it
// complete (--no-actions: it needs none).
func runReview(ctx context.Context, env Env, args []string) error {
	fs := newFlags("incidents review", env)
	apiURL := fs.String("api", "", "API URL (default $FIREBREAK_API)")
	asJSON := fs.Bool("json", false, "print the structured review (the API's JSON)")
	section := fs.String("section", "", "edit: the section to write: "+strings.Join(review.Sections, ", "))
	file := fs.String("file", "", "edit: the file holding the section's text (- for stdin)")
	noActions := fs.Bool("no-actions", false, "complete: the review needs no action (required when none is filed)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return fmt.Errorf("%w: firebreak %s", errUsage, reviewUsage)
	}
	id, verb := pos[0], ""
	if len(pos) == 2 {
		verb = pos[1]
	}
	var body any
	switch verb {
	case "":
	case "edit":
		if *section == "" || *file == "" {
			return fmt.Errorf("%w: edit needs --section NAME and --file F", errUsage)
		}
		text, err := readText(env, *file)
		if err != nil {
			return err
		}
		body = api.ReviewEditRequest{Section: *section, Text: text}
	case "complete":
		body = api.ReviewCompleteRequest{NoActions: *noActions}
	default:
		return fmt.Errorf("%w: %q is not edit or complete", errUsage, verb)
	}
	raw := first(*apiURL, env.Getenv("FIREBREAK_API"))
	client, err := newAPIClient(ctx, raw, loadCredentials)
	if err != nil {
		return err
	}
	r := &incidentsRun{env: env, client: client, json: *asJSON}
	method, path := http.MethodGet, "/incidents/"+id+"/review"
	if verb != "" {
		method, path = http.MethodPost, path+"/"+verb
	}
	resp, printed, err := request[api.ReviewResponse](ctx, r, method, path, nil, body)
	if err != nil || printed {
		return err
	}
	switch verb {
	case "edit":
		fmt.Fprintf(env.Stdout, "Review %s: section %s saved (the edit is on the incident's timeline).\n", id, *section)
	case "complete":
		fmt.Fprintf(env.Stdout, "Review %s complete, with %d action(s).\n", id, len(resp.Document.Actions))
	default:
		fmt.Fprint(env.Stdout, resp.Markdown)
	}
	return nil
}

// readText reads a file, or stdin for "-".
func readText(env Env, path string) (string, error) {
	if path == "-" {
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := env.Stdin.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
			if b.Len() > review.MaxSection*2 {
				return "", fmt.Errorf("stdin: more than %d bytes", review.MaxSection)
			}
		}
		return b.String(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read --file: %w", err)
	}
	return string(data), nil
}
