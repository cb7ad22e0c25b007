locals {
  name_prefix = "acme-health/${var.environment}"
}

# Patient database credentials: customer-managed key, 30-day rotation, VPC-endpoint-only policy.
resource "aws_secretsmanager_secret" "patient_db" {
  name                    = "${local.name_prefix}/patient-db"
  description             = "PostgreSQL credentials of the patient records database"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = 30

  tags = {
    DataClassification = "phi"
  }
}

resource "random_password" "patient_db" {
  length  = 32
  special = true
}

resource "aws_secretsmanager_secret_version" "patient_db" {
  secret_id = aws_secretsmanager_secret.patient_db.id
  secret_string = jsonencode({
    username = "portal_app"
    password = random_password.patient_db.result
  })
}

resource "aws_secretsmanager_secret_rotation" "patient_db" {
  secret_id           = aws_secretsmanager_secret.patient_db.id
  rotation_lambda_arn = var.rotation_lambda_arn

  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret_policy" "patient_db" {
  secret_arn          = aws_secretsmanager_secret.patient_db.arn
  block_public_policy = true
  policy              = data.aws_iam_policy_document.patient_db.json
}

data "aws_iam_policy_document" "patient_db" {
  statement {
    sid       = "DenyOutsideVpcEndpoint"
    effect    = "Deny"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpce"
      values   = [aws_vpc_endpoint.secretsmanager.id]
    }
  }
}

# Partner API key: no kms_key_id (the AWS-managed default key), monthly cron rotation.
resource "aws_secretsmanager_secret" "partner_api_key" {
  name = "${local.name_prefix}/partner-api-key"

  tags = {
    DataClassification = "internal"
  }
}

resource "aws_secretsmanager_secret_version" "partner_api_key" {
  secret_id     = aws_secretsmanager_secret.partner_api_key.id
  secret_string = "acme-demo-password-DO-NOT-USE"
}

resource "aws_secretsmanager_secret_rotation" "partner_api_key" {
  secret_id           = aws_secretsmanager_secret.partner_api_key.id
  rotation_lambda_arn = var.rotation_lambda_arn

  rotation_rules {
    schedule_expression = "cron(0 8 1 * ? *)"
    duration            = "2h"
  }
}

# OAuth client secret: key from a variable without default, 180-day rotation,
# a policy that grants any principal read access and does not block public policies.
resource "aws_secretsmanager_secret" "oauth_client" {
  name                    = "${local.name_prefix}/oauth-client-secret"
  kms_key_id              = var.oauth_kms_key_id
  recovery_window_in_days = 0

  tags = {
    DataClassification = "phi"
  }
}

resource "aws_secretsmanager_secret_rotation" "oauth_client" {
  secret_id           = aws_secretsmanager_secret.oauth_client.id
  rotation_lambda_arn = var.rotation_lambda_arn

  rotation_rules {
    automatically_after_days = 180
  }
}

resource "aws_secretsmanager_secret_policy" "oauth_client" {
  secret_arn          = aws_secretsmanager_secret.oauth_client.arn
  block_public_policy = false
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "PartnerPortalRead"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = "secretsmanager:GetSecretValue"
        Resource  = "*"
      }
    ]
  })
}

# Reporting warehouse credentials, through the shared module.
module "reporting_secret" {
  source = "./modules/app-secret"

  name       = "${local.name_prefix}/reporting-warehouse"
  kms_key_id = aws_kms_key.secrets.arn
  tags = {
    DataClassification = "internal"
  }
}
