variable "environment" {
  description = "Deployment environment name."
  type        = string
  default     = "prod"
}

variable "rotation_lambda_arn" {
  description = "ARN of the Lambda function that rotates the database credentials."
  type        = string
  default     = "arn:aws:lambda:us-east-1:111122223333:function:acme-health-rotate-postgres"
}

# Supplied by the platform team's pipeline; no default on purpose.
variable "oauth_kms_key_id" {
  description = "KMS key for the OAuth client secret (owned by the identity team)."
  type        = string
}
