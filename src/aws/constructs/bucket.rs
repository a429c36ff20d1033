//! A private S3 bucket whose objects expire, with browser access from
//! chosen origins and typed grants.

use crate::construct::Scope;
use crate::expr::{Arn, Tf};
use crate::stack::Stack;

use super::super::iam::IamRolePolicyRef;
use super::super::policy::Statement;
use super::super::s3::{
    S3Bucket, S3BucketCorsConfiguration, S3BucketCorsConfigurationArgs,
    S3BucketCorsConfigurationCorsRule, S3BucketCorsConfigurationCorsRuleArgs,
    S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationArgs,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleArgs, S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs, S3BucketPublicAccessBlock,
    S3BucketPublicAccessBlockArgs, S3BucketRef, S3BucketVersioning, S3BucketVersioningArgs,
    S3BucketVersioningVersioningConfiguration, S3BucketVersioningVersioningConfigurationArgs,
};
use super::Role;

/// What a [`Bucket`] is. Start from [`BucketProps::new`].
#[derive(Clone, Debug)]
pub struct BucketProps {
    name_prefix: String,
    force_destroy: bool,
    expire_after_days: Option<u32>,
    abort_uploads_after_days: Option<u32>,
    versioned: bool,
    expire_old_versions_after_days: Option<u32>,
    browser_origins: Vec<String>,
    browser_methods: Vec<String>,
}

impl BucketProps {
    /// A bucket named `<name_prefix><random suffix>` (bucket names are
    /// global: the suffix keeps them unique), kept when the stack is
    /// destroyed while it holds objects, objects kept forever, no browser
    /// access.
    pub fn new(name_prefix: impl Into<String>) -> Self {
        BucketProps {
            name_prefix: name_prefix.into(),
            force_destroy: false,
            expire_after_days: None,
            abort_uploads_after_days: None,
            versioned: false,
            expire_old_versions_after_days: None,
            browser_origins: Vec::new(),
            browser_methods: vec!["GET".into(), "PUT".into(), "HEAD".into()],
        }
    }

    /// Destroying the stack deletes the objects too (for stages whose data
    /// does not matter).
    pub fn force_destroy(mut self, force: bool) -> Self {
        self.force_destroy = force;
        self
    }

    /// Objects are deleted this many days after they were written.
    pub fn expire_after_days(mut self, days: u32) -> Self {
        self.expire_after_days = Some(days);
        self
    }

    /// Multipart uploads left unfinished are aborted (and their parts,
    /// which are billed, deleted) this many days after they started.
    pub fn abort_uploads_after_days(mut self, days: u32) -> Self {
        self.abort_uploads_after_days = Some(days);
        self
    }

    /// Keep every version of an object (`versioning`): an overwritten or
    /// deleted object can be brought back.
    pub fn versioned(mut self, versioned: bool) -> Self {
        self.versioned = versioned;
        self
    }

    /// Versions that are no longer current are deleted this many days after
    /// they were replaced.
    pub fn expire_old_versions_after_days(mut self, days: u32) -> Self {
        self.expire_old_versions_after_days = Some(days);
        self
    }

    /// Web pages from these origins (`https://example.com`) may read and
    /// write objects from the browser (CORS); none by default.
    pub fn browser_origins<S: Into<String>>(
        mut self,
        origins: impl IntoIterator<Item = S>,
    ) -> Self {
        self.browser_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// The methods browsers may use (default: `GET`, `PUT`, `HEAD`).
    pub fn browser_methods<S: Into<String>>(
        mut self,
        methods: impl IntoIterator<Item = S>,
    ) -> Self {
        self.browser_methods = methods.into_iter().map(Into::into).collect();
        self
    }
}

/// A bucket at `scope/<id>`: `bucket`, `public-access-block` (every kind of
/// public access blocked), `versioning` (when versioned), `lifecycle` (when
/// objects or old versions expire or uploads are aborted) and `cors` (when
/// browser origins are given).
#[derive(Clone, Debug)]
pub struct Bucket {
    scope: Scope,
    id: String,
    bucket: S3BucketRef,
}

impl Bucket {
    pub fn new(stack: &mut Stack, scope: &Scope, id: &str, props: BucketProps) -> Self {
        let scope = scope.child(id);
        let bucket = stack.add(
            &scope,
            "bucket",
            S3Bucket::new()
                .bucket_prefix(props.name_prefix)
                .force_destroy(props.force_destroy),
        );
        stack.add(
            &scope,
            "public-access-block",
            S3BucketPublicAccessBlock::new(S3BucketPublicAccessBlockArgs {
                bucket: bucket.id(),
            })
            .block_public_acls(true)
            .block_public_policy(true)
            .ignore_public_acls(true)
            .restrict_public_buckets(true),
        );
        if props.versioned {
            stack.add(
                &scope,
                "versioning",
                S3BucketVersioning::new(S3BucketVersioningArgs {
                    bucket: bucket.id(),
                    versioning_configuration: S3BucketVersioningVersioningConfiguration::new(
                        S3BucketVersioningVersioningConfigurationArgs {
                            status: "Enabled".into(),
                        },
                    ),
                }),
            );
        }
        let mut rules = Vec::new();
        if let Some(days) = props.expire_after_days {
            rules.push(
                lifecycle_rule("expire-objects")
                    .expiration(S3BucketLifecycleConfigurationRuleExpiration::new().days(days)),
            );
        }
        if let Some(days) = props.abort_uploads_after_days {
            rules.push(
                lifecycle_rule("abort-incomplete-uploads").abort_incomplete_multipart_upload(
                    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload::new()
                        .days_after_initiation(days),
                ),
            );
        }
        if let Some(days) = props.expire_old_versions_after_days {
            rules.push(
                lifecycle_rule("expire-old-versions").noncurrent_version_expiration(
                    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration::new(
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs {
                            noncurrent_days: days.into(),
                        },
                    ),
                ),
            );
        }
        if !rules.is_empty() {
            let lifecycle = rules.into_iter().fold(
                S3BucketLifecycleConfiguration::new(S3BucketLifecycleConfigurationArgs {
                    bucket: bucket.id(),
                }),
                S3BucketLifecycleConfiguration::rule,
            );
            stack.add(&scope, "lifecycle", lifecycle);
        }
        if !props.browser_origins.is_empty() {
            stack.add(
                &scope,
                "cors",
                S3BucketCorsConfiguration::new(S3BucketCorsConfigurationArgs {
                    bucket: bucket.id(),
                    cors_rule: S3BucketCorsConfigurationCorsRule::new(
                        S3BucketCorsConfigurationCorsRuleArgs {
                            allowed_methods: props.browser_methods.into(),
                            allowed_origins: props.browser_origins.into(),
                        },
                    )
                    .allowed_headers(["*"])
                    .expose_headers(["ETag"])
                    .max_age_seconds(3600),
                }),
            );
        }
        Bucket {
            scope,
            id: id.to_owned(),
            bucket,
        }
    }

    pub fn bucket(&self) -> &S3BucketRef {
        &self.bucket
    }

    /// The bucket's name (chosen by AWS from the prefix).
    pub fn name(&self) -> Tf<String> {
        self.bucket.bucket()
    }

    pub fn arn(&self) -> Tf<Arn> {
        self.bucket.arn()
    }

    /// Lets `role` read, write and delete objects and list the bucket, as
    /// the inline policy `allow-s3-<id>`. Object actions apply to the
    /// objects (`<arn>/*`); listing applies to the bucket itself (its ARN):
    /// granted on objects, `s3:ListBucket` does nothing.
    pub fn grant_read_write(&self, stack: &mut Stack, role: &Role) -> IamRolePolicyRef {
        let objects: Tf<Arn> = crate::template![self.arn(), "/*"];
        role.grant(
            stack,
            &format!("allow-s3-{}", self.id),
            super::super::policy::PolicyDocument::new()
                .statement(
                    Statement::allow(OBJECT_ACTIONS)
                        .sid("Objects")
                        .resource(objects),
                )
                .statement(
                    Statement::allow(["s3:ListBucket"])
                        .sid("Bucket")
                        .resource(self.arn()),
                ),
        )
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// What handlers do with objects.
const OBJECT_ACTIONS: [&str; 5] = [
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
];

fn lifecycle_rule(id: &str) -> S3BucketLifecycleConfigurationRule {
    S3BucketLifecycleConfigurationRule::new(S3BucketLifecycleConfigurationRuleArgs {
        id: id.into(),
        status: "Enabled".into(),
    })
    // An empty filter: the rule applies to every object.
    .filter(S3BucketLifecycleConfigurationRuleFilter::new())
}
