resource "aws_s3_bucket" "audit" {
  bucket = "acme-health-audit-logs"
}

resource "aws_cloudtrail" "audit" {
  name                          = "acme-health-audit"
  s3_bucket_name                = aws_s3_bucket.audit.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.secrets.arn

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }
}
