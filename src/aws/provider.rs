//! The `provider "aws"` configuration.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::expr::{List, Map, Tf};
use crate::provider::{Provider, ProviderRequirement};

/// Configuration of the AWS provider. Credentials are deliberately not
/// settable here: they come from the environment (`AWS_PROFILE`,
/// `AWS_ACCESS_KEY_ID`, ...), so that none is ever written to the output.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AwsProvider {
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Tf<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<Tf<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_account_ids: Option<Tf<List<String>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    endpoints: Vec<Endpoints>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    default_tags: Vec<DefaultTags>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    assume_role: Vec<AssumeRole>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_retries: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    s3_use_path_style: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_credentials_validation: Option<bool>,
    /// A string in the provider's schema ("true"/"false").
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_metadata_api_check: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_region_validation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_requesting_account_id: Option<bool>,
}

impl AwsProvider {
    /// The default configuration: region and credentials from the
    /// environment (`AWS_REGION`, `AWS_PROFILE`, ...).
    pub fn new() -> Self {
        AwsProvider::default()
    }

    /// A configuration that blocks select with the `provider` meta-argument.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    pub fn region(mut self, region: impl Into<Tf<String>>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// A named profile of the shared AWS configuration files.
    pub fn profile(mut self, profile: impl Into<Tf<String>>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Refuses to run against any other account.
    pub fn allowed_account_ids(mut self, ids: impl Into<Tf<List<String>>>) -> Self {
        self.allowed_account_ids = Some(ids.into());
        self
    }

    /// Custom service endpoints (LocalStack, DynamoDB Local).
    pub fn endpoints(mut self, endpoints: Endpoints) -> Self {
        self.endpoints = vec![endpoints];
        self
    }

    /// Tags the provider adds to every resource that takes tags.
    pub fn default_tags(mut self, tags: impl Into<Tf<Map<String>>>) -> Self {
        self.default_tags = vec![DefaultTags { tags: tags.into() }];
        self
    }

    pub fn assume_role(mut self, role: AssumeRole) -> Self {
        self.assume_role = vec![role];
        self
    }

    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    pub fn s3_use_path_style(mut self, path_style: bool) -> Self {
        self.s3_use_path_style = Some(path_style);
        self
    }

    /// Skips the STS check of the credentials (for endpoints that are not AWS).
    pub fn skip_credentials_validation(mut self, skip: bool) -> Self {
        self.skip_credentials_validation = Some(skip);
        self
    }

    /// Skips the EC2 metadata API check.
    pub fn skip_metadata_api_check(mut self, skip: bool) -> Self {
        self.skip_metadata_api_check = Some(skip.to_string());
        self
    }

    pub fn skip_region_validation(mut self, skip: bool) -> Self {
        self.skip_region_validation = Some(skip);
        self
    }

    /// Skips looking up the account id (ARNs that need it cannot be built).
    pub fn skip_requesting_account_id(mut self, skip: bool) -> Self {
        self.skip_requesting_account_id = Some(skip);
        self
    }
}

impl Provider for AwsProvider {
    const REQUIREMENT: ProviderRequirement = super::PROVIDER;

    fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }
}

/// The provider's `endpoints` block: a URL per service name, as the
/// provider's schema names them (`dynamodb`, `s3`, `sts`, `lambda`, ...).
#[derive(Clone, Debug, Default, Serialize)]
#[serde(transparent)]
pub struct Endpoints(BTreeMap<String, Tf<String>>);

impl Endpoints {
    pub fn new() -> Self {
        Endpoints::default()
    }

    /// The endpoint of one service.
    pub fn service(mut self, service: impl Into<String>, url: impl Into<Tf<String>>) -> Self {
        self.0.insert(service.into(), url.into());
        self
    }

    pub fn dynamodb(self, url: impl Into<Tf<String>>) -> Self {
        self.service("dynamodb", url)
    }

    pub fn s3(self, url: impl Into<Tf<String>>) -> Self {
        self.service("s3", url)
    }

    pub fn sts(self, url: impl Into<Tf<String>>) -> Self {
        self.service("sts", url)
    }

    pub fn lambda(self, url: impl Into<Tf<String>>) -> Self {
        self.service("lambda", url)
    }

    pub fn iam(self, url: impl Into<Tf<String>>) -> Self {
        self.service("iam", url)
    }
}

#[derive(Clone, Debug, Serialize)]
struct DefaultTags {
    tags: Tf<Map<String>>,
}

/// Credentials from assuming a role.
#[derive(Clone, Debug, Serialize)]
pub struct AssumeRole {
    role_arn: Tf<crate::expr::Arn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_name: Option<Tf<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<Tf<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<Tf<String>>,
}

impl AssumeRole {
    pub fn new(role_arn: impl Into<Tf<crate::expr::Arn>>) -> Self {
        AssumeRole {
            role_arn: role_arn.into(),
            session_name: None,
            external_id: None,
            duration: None,
        }
    }

    pub fn session_name(mut self, name: impl Into<Tf<String>>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    pub fn external_id(mut self, id: impl Into<Tf<String>>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// A duration such as `1h`.
    pub fn duration(mut self, duration: impl Into<Tf<String>>) -> Self {
        self.duration = Some(duration.into());
        self
    }
}
