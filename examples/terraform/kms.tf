resource "aws_kms_key" "secrets" {
  description             = "Acme Health patient-portal secrets"
  enable_key_rotation     = true
  rotation_period_in_days = 180
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      }
    ]
  })
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/acme-health/portal-secrets"
  target_key_id = aws_kms_key.secrets.key_id
}
