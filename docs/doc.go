// Package docs holds Firebreak's documentation: README.md at the repository root is the
// ten-minute guide, and the Markdown files here the depth behind it. It has no code; its
// tests keep the documents true to the repository: the README stays under 25 KB, its
// layout table lists every package in internal/, every relative link resolves to a file
// and a heading, the make targets named are the Makefile's, and the runbook catalog is
// firebreak.yaml's.
package docs
