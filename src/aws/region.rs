//! The region (and partition) a stack runs in.

crate::data_source! {
    /// The region of the provider configuration.
    pub struct DataAwsRegion("aws_region", provider = super::PROVIDER) -> DataAwsRegionRef {
        optional {
            /// Look up another region than the provider's.
            region: String,
            endpoint: String,
        }
        attributes {
            /// The region's name, as `eu-north-1` (aws 6; `name` is deprecated).
            region: String,
            description: String,
            endpoint: String,
            id: String,
        }
    }
}

crate::data_source! {
    /// The account, user and ARN of the credentials in use.
    pub struct DataAwsCallerIdentity("aws_caller_identity", provider = super::PROVIDER) -> DataAwsCallerIdentityRef {
        attributes {
            account_id: String,
            arn: crate::expr::Arn,
            user_id: String,
        }
    }
}

crate::data_source! {
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`) of the provider's region.
    pub struct DataAwsPartition("aws_partition", provider = super::PROVIDER) -> DataAwsPartitionRef {
        attributes {
            partition: String,
            dns_suffix: String,
        }
    }
}
