# Acme Health — patient portal: the secrets, keys, network and audit trail it needs.
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      Owner       = "patient-portal-team"
      Application = "patient-portal"
    }
  }
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
