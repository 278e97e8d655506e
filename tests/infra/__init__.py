"""Infrastructure tests: the synthesized CloudFormation template, cdk-nag, cfn-lint and the Lambda asset."""
