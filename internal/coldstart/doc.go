// Package coldstart measures the Lambdas' cold start (`make bench`): how long a function
// takes from process start to its first call of the Lambda runtime API, against a local
// runtime API on 127.0.0.1, as a ratio to a hello-world aws-lambda-go function built the
// same way (the Makefile's build rule, for the host's OS and architecture), with both
// binaries' sizes. The runs of the two alternate, so that load on the machine weighs on
// both alike; the figure is the median of the per-pair ratios.
//
// A third function, the hello-world with a DynamoDB client (testdata/ddbhello), is the
// floor for any function over the table: floor-x is its ratio to hello-world.
//
// It also compares the AWS SDK configuration the Lambdas build from their environment
// (lambdaenv.AWSConfig) with config.LoadDefaultConfig in the same environment.
package coldstart
