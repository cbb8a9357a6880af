// Command hello is the smallest aws-lambda-go function: the baseline of the cold-start
// benchmark (internal/coldstart).
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() { lambda.Start(func() (string, error) { return "hello", nil }) }
