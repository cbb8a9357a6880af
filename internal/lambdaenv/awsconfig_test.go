package lambdaenv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// TestAWSConfigReadsNoFiles: when the Lambda's variables answer region and credentials,
// AWSConfig builds the SDK configuration from them alone: it reads no shared config or
// credentials file. Here the files name a profile that does not exist, which
// config.LoadDefaultConfig (what AWSConfig replaces) fails on in the same environment,
// and shared credentials that differ from the role's.
func TestAWSConfigReadsNoFiles(t *testing.T) {
	dir := t.TempDir()
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfgFile, []byte("[profile other]\nregion = us-east-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credFile, []byte("[missing-profile]\naws_access_key_id = AKIAFROMFILE\naws_secret_access_key = fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	over := map[string]string{"HOME": dir, "AWS_CONFIG_FILE": cfgFile, "AWS_SHARED_CREDENTIALS_FILE": credFile, "AWS_PROFILE": "missing-profile-x"}
	get := vars(over)
	for _, k := range []string{"HOME", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, get(k))
	}
	if _, err := awsconfig.LoadDefaultConfig(context.Background()); err == nil || !strings.Contains(err.Error(), "missing-profile-x") {
		t.Fatalf("LoadDefaultConfig in this environment = %v; want it to fail on the shared config's missing profile (the premise of this test)", err)
	}
	cfg, err := AWSConfig(get)
	if err != nil {
		t.Fatalf("AWSConfig = %v; want the configuration from the variables, no shared file read", err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("Retrieve = %v", err)
	}
	if cfg.Region != "eu-west-1" || creds.AccessKeyID != "ASIAEXAMPLE" || creds.SessionToken != "token" {
		t.Errorf("AWSConfig = region %q, key %q, token %q; want eu-west-1, ASIAEXAMPLE, token (the variables')", cfg.Region, creds.AccessKeyID, creds.SessionToken)
	}
}
