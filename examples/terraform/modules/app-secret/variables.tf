variable "name" {
  type = string
}

variable "kms_key_id" {
  type = string
}

variable "recovery_window_days" {
  type    = number
  default = 7
}

variable "tags" {
  type    = map(string)
  default = {}
}
