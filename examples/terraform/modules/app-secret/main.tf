# A secret with the team's defaults: customer key required, short recovery window.
resource "aws_secretsmanager_secret" "this" {
  name                    = var.name
  kms_key_id              = var.kms_key_id
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}
