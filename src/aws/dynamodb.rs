//! DynamoDB.

use crate::expr::{Arn, List, Map, Number};

crate::resource! {
    /// A DynamoDB table.
    pub struct DynamodbTable("aws_dynamodb_table", provider = super::PROVIDER, taggable = true) -> DynamodbTableRef {
        required {
            name: String,
        }
        optional {
            /// `PROVISIONED` (default) or `PAY_PER_REQUEST`.
            billing_mode: String,
            /// The partition key: one of the `attribute`s.
            hash_key: String,
            /// The sort key: one of the `attribute`s.
            range_key: String,
            read_capacity: Number,
            write_capacity: Number,
            deletion_protection_enabled: bool,
            stream_enabled: bool,
            /// `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`.
            stream_view_type: String,
            /// `STANDARD` or `STANDARD_INFREQUENT_ACCESS`.
            table_class: String,
            restore_source_name: String,
            restore_source_table_arn: Arn,
            restore_to_latest_time: bool,
            restore_date_time: String,
            region: String,
            tags: Map<String>,
        }
        blocks {
            point_in_time_recovery: DynamodbTablePointInTimeRecovery,
            ttl: DynamodbTableTtl,
            server_side_encryption: DynamodbTableServerSideEncryption,
            on_demand_throughput: DynamodbTableOnDemandThroughput,
        }
        repeated {
            /// A key attribute (only key attributes are declared in DynamoDB).
            attribute: DynamodbTableAttribute,
            global_secondary_index: DynamodbTableGlobalSecondaryIndex,
            local_secondary_index: DynamodbTableLocalSecondaryIndex,
            replica: DynamodbTableReplica,
        }
        attributes {
            arn: Arn,
            id: String,
            name: String,
            hash_key: String,
            range_key: String,
            stream_arn: Arn,
            stream_label: String,
        }
    }
}

crate::nested_block! {
    /// A key attribute: its name and type (`S`, `N` or `B`).
    pub struct DynamodbTableAttribute {
        required {
            name: String,
            r#type: String,
        }
    }
}

crate::nested_block! {
    /// A global secondary index.
    pub struct DynamodbTableGlobalSecondaryIndex {
        required {
            name: String,
            hash_key: String,
            /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
            projection_type: String,
        }
        optional {
            range_key: String,
            non_key_attributes: List<String>,
            read_capacity: Number,
            write_capacity: Number,
        }
        blocks {
            on_demand_throughput: DynamodbTableOnDemandThroughput,
        }
    }
}

crate::nested_block! {
    /// A local secondary index.
    pub struct DynamodbTableLocalSecondaryIndex {
        required {
            name: String,
            range_key: String,
            projection_type: String,
        }
        optional {
            non_key_attributes: List<String>,
        }
    }
}

crate::nested_block! {
    /// Continuous backups.
    pub struct DynamodbTablePointInTimeRecovery {
        required {
            enabled: bool,
        }
        optional {
            recovery_period_in_days: Number,
        }
    }
}

crate::nested_block! {
    /// Time to live: items expire at the epoch seconds in `attribute_name`.
    pub struct DynamodbTableTtl {
        optional {
            attribute_name: String,
            enabled: bool,
        }
    }
}

crate::nested_block! {
    pub struct DynamodbTableServerSideEncryption {
        required {
            enabled: bool,
        }
        optional {
            kms_key_arn: Arn,
        }
    }
}

crate::nested_block! {
    pub struct DynamodbTableOnDemandThroughput {
        optional {
            max_read_request_units: Number,
            max_write_request_units: Number,
        }
    }
}

crate::nested_block! {
    /// A replica of a global table in another region.
    pub struct DynamodbTableReplica {
        required {
            region_name: String,
        }
        optional {
            kms_key_arn: Arn,
            point_in_time_recovery: bool,
            propagate_tags: bool,
            deletion_protection_enabled: bool,
        }
    }
}
