output "arn" {
  value = aws_secretsmanager_secret.this.arn
}
