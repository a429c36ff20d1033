//! Where a Lambda function's code comes from: a package file shipped as an
//! asset, or an object in S3.

use std::path::Path;

use crate::asset::{Asset, AssetError};
use crate::construct::Scope;
use crate::expr::Tf;
use crate::output::Output;
use crate::stack::Stack;

use super::super::lambda::LambdaFunction;

/// A function's package.
#[derive(Clone, Debug)]
pub struct LambdaCode {
    source: Source,
}

#[derive(Clone, Debug)]
enum Source {
    Asset(Asset),
    S3 { bucket: Tf<String>, key: Tf<String> },
}

impl LambdaCode {
    /// A package file at `scope/<id>`: the asset at `<id>/asset` and its
    /// path as the output `<id>/path`. The function is updated whenever the
    /// file's content changes.
    pub fn from_file(
        stack: &mut Stack,
        scope: &Scope,
        id: &str,
        file: &Path,
    ) -> Result<Self, AssetError> {
        let scope = scope.child(id);
        let asset = stack.asset(&scope, "asset", file)?;
        stack.output(&scope, "path", Output::new(asset.path()));
        Ok(LambdaCode {
            source: Source::Asset(asset),
        })
    }

    /// A package in S3 (often put there by CI, which then updates the
    /// functions' code itself): Terraform creates the function from it and
    /// leaves later uploads to whoever makes them.
    pub fn from_s3(bucket: impl Into<Tf<String>>, key: impl Into<Tf<String>>) -> Self {
        LambdaCode {
            source: Source::S3 {
                bucket: bucket.into(),
                key: key.into(),
            },
        }
    }

    /// The package file, when the code is one.
    pub fn asset(&self) -> Option<&Asset> {
        match &self.source {
            Source::Asset(asset) => Some(asset),
            Source::S3 { .. } => None,
        }
    }

    /// Sets the code of `function`: the file and its base64 SHA-256 (what
    /// AWS reports, so plans settle), or the bucket and key.
    pub fn apply_to(&self, function: LambdaFunction) -> LambdaFunction {
        match &self.source {
            Source::Asset(asset) => function
                .filename(asset.path())
                .source_code_hash(asset.base64_sha256()),
            Source::S3 { bucket, key } => function.s3_bucket(bucket.clone()).s3_key(key.clone()),
        }
    }
}
