//! CloudWatch Logs.

use crate::expr::{Arn, Map, Number};

crate::resource! {
    /// A log group. Declaring it (instead of letting a service create it on
    /// first write) gives it a retention period and tags, and lets Terraform
    /// delete it.
    pub struct CloudwatchLogGroup("aws_cloudwatch_log_group", provider = super::PROVIDER, taggable = true) -> CloudwatchLogGroupRef {
        optional {
            name: String,
            name_prefix: String,
            /// Days to keep events: 1, 3, 5, 7, 14, 30, 60, 90, ... or 0 (forever).
            retention_in_days: Number,
            kms_key_id: Arn,
            /// `STANDARD` or `INFREQUENT_ACCESS`.
            log_group_class: String,
            deletion_protection_enabled: bool,
            skip_destroy: bool,
            region: String,
            tags: Map<String>,
        }
        attributes {
            arn: Arn,
            id: String,
            name: String,
        }
    }
}
